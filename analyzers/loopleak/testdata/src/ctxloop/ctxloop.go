// Package ctxloop holds loops that have a context in hand and never look
// at it; the suggested fix returns when the context is cancelled.
package ctxloop

import (
	"context"
	"time"

	"golang.org/x/sync/errgroup"
)

func work() {}

func Run(ctx context.Context) {
	go func() {
		for { // want `goroutine never finishes: this for loop has no condition and it never checks ctx.Done\(\), so cancelling ctx does not stop it`
			work()
		}
	}()
}

func RunGroup(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		for { // want `goroutine never finishes: this for loop has no condition and it never checks ctx.Done\(\)`
			work()
		}
	})
	return g.Wait()
}

func RunChecked(ctx context.Context) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			default:
			}
			work()
		}
	}()
}

func RunPassing(ctx context.Context, step func(context.Context) error) {
	go func() {
		for {
			if err := step(ctx); err != nil {
				return
			}
		}
	}()
}

// The loop selects on the derived context, which cancel stops, not on
// its parent.
func RunDerived(parent context.Context) context.CancelFunc {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		for { // want `goroutine never finishes: this for loop has no condition and it never checks ctx.Done\(\)`
			work()
		}
	}()
	_ = ctx
	return cancel
}

// A loop that blocks on a receive: the receive becomes a select, so that
// cancelling wakes it (a check before the receive would not).
func Consume(ctx context.Context, in <-chan int, out chan<- int) {
	go func() {
		for { // want `goroutine never finishes: this for loop has no condition and it never checks ctx.Done\(\)`
			v := <-in
			out <- v * 2
		}
	}()
}

// A loop around a select that waits: it gains the context's case.
func Merge(ctx context.Context, a, b <-chan int, sink func(int)) {
	go func() {
		for { // want `goroutine never finishes: this for loop has no condition and it never checks ctx.Done\(\)`
			select {
			case v := <-a:
				sink(v)
			case v := <-b:
				sink(v)
			}
		}
	}()
}

// A loop that blocks inside an expression gets no fix: no case can be
// added there.
func Nested(ctx context.Context, in <-chan int, sink func(int)) {
	go func() {
		for { // want `goroutine never finishes: this for loop has no condition and it never checks ctx.Done\(\)`
			sink(<-in + 1)
		}
	}()
}

// Ranging over a ticker's channel: the range becomes a loop around a
// select, and the ticker the goroutine makes is stopped when it returns.
func Poll(ctx context.Context, d time.Duration) {
	go func() {
		ticker := time.NewTicker(d)
		for t := range ticker.C { // want `goroutine never finishes: ranging over ticker.C never ends and it never checks ctx.Done\(\)`
			report(t)
		}
	}()
}

// time.Tick: a ticker is made for the select, and stopped.
func Tick(ctx context.Context, d time.Duration) {
	go func() {
		for range time.Tick(d) { // want `goroutine never finishes: ranging over time.Tick\(d\) never ends and it never checks ctx.Done\(\)`
			work()
		}
	}()
}

type worker struct{ step func() }

// go w.run(c) where run returns an error: it returns c.Err().
func (w *worker) run(c context.Context) error {
	for { // want `goroutine never finishes: this for loop has no condition and it never checks c.Done\(\)`
		w.step()
	}
}

func Start(c context.Context, w *worker) {
	go w.run(c)
}

func report(time.Time) {}
