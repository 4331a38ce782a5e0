// Package callbacks holds goroutines that reach a wait through a function
// value with one known target.
package callbacks

import (
	"bufio"
	"sync"
)

// The classic case: the goroutine calls a hook that waits on a channel
// that only the goroutine's own deferred close releases.
type Runner struct {
	done   chan struct{}
	onExit func()
}

func NewRunner() *Runner {
	r := &Runner{done: make(chan struct{})}
	r.onExit = r.waitDone
	go r.run()
	return r
}

func (r *Runner) run() {
	defer close(r.done)
	r.onExit()
}

func (r *Runner) waitDone() {
	<-r.done // want `goroutine blocks for ever receiving from r.done: only the goroutine's own deferred close\(r.done\) releases it, and that runs only once the goroutine returns`
}

// Wait is the way callers wait for the runner.
func (r *Runner) Wait() { <-r.done }

// Twin: the hook waits on another channel, closed by Stop.
type Runner2 struct {
	done   chan struct{}
	quit   chan struct{}
	onExit func()
}

func NewRunner2() *Runner2 {
	r := &Runner2{done: make(chan struct{}), quit: make(chan struct{})}
	r.onExit = r.waitQuit
	go r.run()
	return r
}

func (r *Runner2) run() {
	defer close(r.done)
	r.onExit()
}

func (r *Runner2) waitQuit() { <-r.quit }

func (r *Runner2) Stop() {
	close(r.quit)
	<-r.done
}

// A direct method call on the object waits too.
type Pump struct {
	finished chan struct{}
}

func StartPump() *Pump {
	p := &Pump{finished: make(chan struct{})}
	go p.loop()
	return p
}

func (p *Pump) loop() {
	defer close(p.finished)
	p.drain()
}

func (p *Pump) drain() {
	for range p.finished { // want `goroutine blocks for ever ranging over p.finished: only the goroutine's own deferred close\(p.finished\) releases it`
	}
}

// Twin: the wait is on another object's channel: a chain, not a cycle.
type Link struct {
	prev *Link
	done chan struct{}
}

func (l *Link) run() {
	defer close(l.done)
	if l.prev != nil {
		l.prev.wait()
	}
}

func (l *Link) wait() { <-l.done }

func Chain() *Link {
	a := &Link{done: make(chan struct{})}
	b := &Link{prev: a, done: make(chan struct{})}
	go a.run()
	go b.run()
	return b
}

// Twin: the hook is given two values, so its target is unknown.
type Hooked struct {
	done chan struct{}
	hook func()
}

func NewHooked(wait bool) *Hooked {
	h := &Hooked{done: make(chan struct{})}
	h.hook = func() {}
	if wait {
		h.hook = h.waitDone
	}
	go h.run()
	return h
}

func (h *Hooked) run() {
	defer close(h.done)
	h.hook()
}

func (h *Hooked) waitDone() { <-h.done }

// A closure argument with one call site: the worker's loop runs the
// literal, which waits on a field nothing sends to.
type stopper struct{ stop chan struct{} }

type Compactor struct {
	ch chan struct{}
}

func runWorker(f func()) {
	go func() {
		f()
	}()
}

func (c *Compactor) Start(s *stopper) {
	runWorker(func() {
		<-c.ch // want `goroutine blocks for ever receiving from c.ch: nothing in package callbacks sends to or closes field ch`
	})
}

// runTwice starts each closure it is given as a goroutine of its own: the
// one that waits on a field nothing sends to blocks for ever.
func runTwice(f func()) {
	go func() {
		f()
	}()
}

type Sweeper struct {
	ch chan struct{}
}

func (s *Sweeper) Start() {
	runTwice(func() { <-s.ch }) // want `goroutine blocks for ever receiving from s.ch: nothing in package callbacks sends to or closes field ch`
	runTwice(func() {})
}

// Twin: the goroutine calls a variable given two closures; neither is
// followed, since either could be the one the goroutine runs.
type Trimmer struct {
	ch chan struct{}
}

func (t *Trimmer) Start(fast bool) {
	f := func() { <-t.ch }
	if fast {
		f = func() {}
	}
	go func() {
		f()
	}()
}

// An interface only this package can implement, with one implementation:
// the call through it is followed.
type waiter interface{ await() }

type gate struct{ open chan struct{} }

func (g *gate) await() {
	<-g.open // want `goroutine blocks for ever receiving from g.open: nothing in package callbacks sends to or closes field open`
}

func StartGate() {
	var w waiter = &gate{open: make(chan struct{})}
	go func() {
		w.await()
	}()
}

// Twin: an interface of exported methods may hold another package's type.
type Waiter interface{ Wait() }

type gate2 struct{ open chan struct{} }

func (g *gate2) Wait() { <-g.open }

func StartGate2(w Waiter) {
	go func() {
		w.Wait()
	}()
}

// Twin: the one implementation's method is promoted from another
// package's type (glog's syncBuffer embeds *bufio.Writer for Flush): no
// declaration to follow, and no crash.
type flusher interface {
	Flush() error
	names() []string
}

type buffered struct{ *bufio.Writer }

func (buffered) names() []string { return nil }

func StartFlush(f flusher) {
	go func() {
		_ = f.Flush()
	}()
}

// Twin: two implementations.
type stepper interface{ step() }

type stepA struct{ ch chan struct{} }
type stepB struct{}

func (s *stepA) step() { <-s.ch }
func (s *stepB) step() {}

func StartStep(s stepper) {
	go func() {
		s.step()
	}()
}

// The one implementation's method is promoted from another package's
// type: there is no code of this package to follow (and no panic).
type lockable interface {
	Lock()
	private()
}

type embedsMutex struct{ sync.Mutex }

func (embedsMutex) private() {}

func LockInGoroutine(l lockable) {
	go func() {
		l.Lock()
	}()
}
