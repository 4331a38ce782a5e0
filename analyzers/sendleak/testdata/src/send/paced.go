package send

import (
	"context"
	"errors"
	"time"
)

// A scraper that reports every round's error to a channel, and looks at
// its context only between rounds.
type scraper struct {
	ctx    context.Context
	forced error
}

func (sc *scraper) run(errc chan<- error) {
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	for {
		_ = sc.scrape(errc)
		select {
		case <-sc.ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

func (sc *scraper) scrape(errc chan<- error) time.Time {
	if sc.forced != nil && errc != nil {
		errc <- sc.forced
	}
	return time.Now()
}

// The parent takes the first error and cancels: a round that started
// before the cancel sends to no one.
func firstScrapeError(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	sc := &scraper{ctx: ctx, forced: errors.New("forced")}
	errc := make(chan error)
	go func() {
		sc.run(errc) // want `goroutine blocks for ever in run, sending on unbuffered channel errc: it sends repeatedly but firstScrapeError receives only once`
	}()
	err := <-errc
	cancel()
	return err
}

// Twin: the scrape sends in a select that also waits on the context.
type stoppableScraper struct {
	ctx context.Context
}

func (sc *stoppableScraper) run(errc chan<- error) {
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	for {
		select {
		case errc <- errors.New("round"):
		case <-sc.ctx.Done():
			return
		}
		select {
		case <-sc.ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

func firstStoppableError(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	sc := &stoppableScraper{ctx: ctx}
	errc := make(chan error)
	go func() {
		sc.run(errc)
	}()
	err := <-errc
	cancel()
	return err
}

// Twin: the loop's rounds are paced by its input, not by a clock: a
// worker answers each request, and the parent sends one.
func answer(reqs <-chan int, out chan<- int, stop <-chan struct{}) {
	for {
		select {
		case r := <-reqs:
			out <- r * 2
		case <-stop:
			return
		}
	}
}

func askOnce() int {
	reqs, out, stop := make(chan int), make(chan int), make(chan struct{})
	go answer(reqs, out, stop)
	reqs <- 21
	v := <-out
	close(stop)
	return v
}

// Twin: the parent receives for as long as the loop sends.
func everyScrapeError(ctx context.Context, report func(error)) {
	sc := &scraper{ctx: ctx, forced: errors.New("forced")}
	errc := make(chan error)
	go func() {
		sc.run(errc)
	}()
	for {
		report(<-errc)
	}
}

// Twin: the loop leaves on a count of its own, not on a stop signal.
func countedTicks(ch chan<- int) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for i := 0; ; i++ {
		if i == 2 {
			return
		}
		ch <- i
		<-t.C
	}
}

func twoTicks() (int, int) {
	ch := make(chan int)
	go countedTicks(ch)
	return <-ch, <-ch
}

// Twin: the loop sends once, when a flag it keeps says it has not yet.
func notifyOnce(ready func() bool, ch chan<- struct{}, stop <-chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	notified := false
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		if !notified && ready() {
			ch <- struct{}{}
			notified = true
		}
	}
}

func waitReady(ready func() bool) {
	ch, stop := make(chan struct{}), make(chan struct{})
	go notifyOnce(ready, ch, stop)
	<-ch
	close(stop)
}

// A send on every round that fails, judged by a value of that round.
func reportFailures(check func() error, errc chan<- error, stop <-chan struct{}) {
	for {
		if err := check(); err != nil {
			errc <- err
		}
		select {
		case <-stop:
			return
		case <-time.After(time.Second):
		}
	}
}

func firstFailure(check func() error) error {
	errc, stop := make(chan error), make(chan struct{})
	go reportFailures(check, errc, stop) // want `goroutine blocks for ever in reportFailures, sending on unbuffered channel errc: it sends repeatedly but firstFailure receives only once`
	err := <-errc
	close(stop)
	return err
}
