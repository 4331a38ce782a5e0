// Package deadexit holds loops whose only way out is a select case that
// can never proceed, while another case goes on: a stop channel nothing
// closes. Each must-flag case is followed by correct twins.
package deadexit

import (
	"context"
	"time"
)

// --- a stop field that nothing closes ---

type flusher struct {
	quit chan struct{}
	jobs chan int
}

func newFlusher() *flusher {
	f := &flusher{quit: make(chan struct{}), jobs: make(chan int)}
	go f.loop()
	return f
}

func (f *flusher) loop() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for { // want `goroutine never finishes: this for loop leaves only through the f.quit case, and nothing in package deadexit sends to or closes field quit`
		select {
		case <-t.C:
			flush()
		case j := <-f.jobs:
			use(j)
		case <-f.quit:
			return
		}
	}
}

func (f *flusher) Submit(j int) { f.jobs <- j }

func flush()     {}
func use(int)    {}
func work() bool { return true }

// Twin: Stop closes quit.
type stopped struct {
	quit chan struct{}
}

func newStopped() *stopped {
	s := &stopped{quit: make(chan struct{})}
	go s.loop()
	return s
}

func (s *stopped) loop() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			flush()
		case <-s.quit:
			return
		}
	}
}

func (s *stopped) Stop() { close(s.quit) }

// Twin: the loop has another way out.
type failing struct {
	quit chan struct{}
}

func newFailing() *failing {
	f := &failing{quit: make(chan struct{})}
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				if !work() {
					return
				}
			case <-f.quit:
				return
			}
		}
	}()
	return f
}

// Twin: an exported field can be closed by another package.
type Exported struct {
	Quit chan struct{}
}

func NewExported() *Exported {
	e := &Exported{Quit: make(chan struct{})}
	go func() {
		for {
			select {
			case <-time.After(time.Second):
				flush()
			case <-e.Quit:
				return
			}
		}
	}()
	return e
}

// --- a local done channel that nothing closes ---

func serve(work <-chan int) {
	done := make(chan struct{})
	go func() {
		for { // want `goroutine never finishes: this for loop leaves only through the done case, and nothing sends to or closes done`
			select {
			case v := <-work:
				use(v)
			case <-done:
				return
			}
		}
	}()
}

// Twin: done is closed when serve returns.
func serveClosed(work <-chan int) {
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case v := <-work:
				use(v)
			case <-done:
				return
			}
		}
	}()
}

// Twin: a labelled break out of the loop on the live case.
func serveBreak(work <-chan int) {
	done := make(chan struct{})
	go func() {
	loop:
		for {
			select {
			case v, ok := <-work:
				if !ok {
					break loop
				}
				use(v)
			case <-done:
				return
			}
		}
	}()
}

// --- a context that is never cancelled ---

func poll() {
	ctx := context.Background()
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for { // want `goroutine never finishes: this for loop leaves only through the ctx.Done\(\) case, and ctx is context.Background\(\), which is never cancelled`
			select {
			case <-t.C:
				flush()
			case <-ctx.Done():
				return
			}
		}
	}()
}

// Twin: the caller's context.
func pollCtx(ctx context.Context) {
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				flush()
			case <-ctx.Done():
				return
			}
		}
	}()
}

// Twin: every case is dead: the select itself is reported (by recvleak),
// not the loop.
type idle struct{ quit chan struct{} }

func (i *idle) start() {
	go func() {
		for {
			select {
			case <-i.quit: // recvleak's
				return
			}
		}
	}()
}

// --- a stop channel made again for a second goroutine ---

// The heartbeat closure reads stop each time it selects. The phase before
// it was stopped by the close; stop is then given a new channel for the
// heartbeat, and nothing closes that one.
func restartHeartbeat(beat func()) {
	stop := make(chan struct{})
	phase(stop)
	close(stop)

	stop = make(chan struct{})
	heartbeat := func() {
		t := time.NewTicker(time.Second)
		for { // want `goroutine never finishes: this for loop leaves only through the stop case, and stop is given a new channel after its last close or send, and nothing closes or sends on the new one`
			select {
			case <-stop:
				t.Stop()
				return
			case <-t.C:
				beat()
			}
		}
	}
	go heartbeat()
	beat()
}

func phase(stop <-chan struct{}) {}

// Twin: the new channel is closed too.
func restartHeartbeatStopped(beat func()) {
	stop := make(chan struct{})
	phase(stop)
	close(stop)

	stop = make(chan struct{})
	heartbeat := func() {
		t := time.NewTicker(time.Second)
		for {
			select {
			case <-stop:
				t.Stop()
				return
			case <-t.C:
				beat()
			}
		}
	}
	go heartbeat()
	beat()
	close(stop)
}

// The same heartbeat closure started twice: the first start is stopped
// by the close, the second reads the new channel that nothing closes.
func restartHeartbeatTwice(beat func()) {
	stop := make(chan struct{})
	heartbeat := func() {
		t := time.NewTicker(time.Second)
		for { // want `goroutine never finishes: this for loop leaves only through the stop case, and stop is given a new channel after its last close or send, and nothing closes or sends on the new one`
			select {
			case <-stop:
				t.Stop()
				return
			case <-t.C:
				beat()
			}
		}
	}
	go heartbeat()
	beat()
	close(stop)

	stop = make(chan struct{})
	go heartbeat()
	beat()
}

// Twin: the closure started twice, and each of its channels closed.
func restartHeartbeatTwiceStopped(beat func()) {
	stop := make(chan struct{})
	heartbeat := func() {
		t := time.NewTicker(time.Second)
		for {
			select {
			case <-stop:
				t.Stop()
				return
			case <-t.C:
				beat()
			}
		}
	}
	go heartbeat()
	beat()
	close(stop)

	stop = make(chan struct{})
	go heartbeat()
	beat()
	close(stop)
}

// Twin: the second channel is closed by a deferred call.
func restartHeartbeatDeferred(beat func()) {
	stop := make(chan struct{})
	phase(stop)
	close(stop)
	stop = make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Second):
				beat()
			}
		}
	}()
}

// Twin: the close comes after the goroutine is started, in a loop that
// makes a channel for each round.
func heartbeatRounds(beat func(), rounds int) {
	var stop chan struct{}
	for range rounds {
		stop = make(chan struct{})
		go func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Second):
					beat()
				}
			}
		}()
		beat()
		close(stop)
	}
}
