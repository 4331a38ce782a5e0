// Package indirect holds goroutines that a function of the package starts
// for its caller: a wrapper given the goroutine's function (goSafe(f),
// go recovered(f), a pool's runAsync(f)), or a helper that starts the
// goroutine using a channel it is handed. Each must-flag case is followed
// by correct twins.
package indirect

import (
	"errors"
	"sync"
)

var errStopped = errors.New("stopped")

// goSafe starts f as a goroutine that recovers its panics.
func goSafe(f func()) {
	go func() {
		defer func() { _ = recover() }()
		f()
	}()
}

// goLogged starts f through goSafe: a wrapper of a wrapper.
func goLogged(f func()) {
	goSafe(f)
}

// recovered runs f once, recovering its panics; go recovered(f) starts f.
func recovered(f func()) {
	defer func() { _ = recover() }()
	f()
}

type stopper struct{ wg sync.WaitGroup }

func (s *stopper) runAsync(f func()) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
}

func firstResult(stop chan struct{}, work func() error) error {
	errc := make(chan error)
	goLogged(func() {
		errc <- work() // want `goroutine blocks for ever sending on unbuffered channel errc: firstResult can return through the stop case without receiving from errc`
	})
	select {
	case err := <-errc:
		return err
	case <-stop:
		return errStopped
	}
}

// Twin: the buffer holds the result nobody takes.
func firstResultBuffered(stop chan struct{}, work func() error) error {
	errc := make(chan error, 1)
	goLogged(func() {
		errc <- work()
	})
	select {
	case err := <-errc:
		return err
	case <-stop:
		return errStopped
	}
}

type result struct{ n int }

func (r *result) compute(out chan<- int) { out <- r.n }

func recoveredResult(stop chan struct{}, r *result) int {
	out := make(chan int)
	go recovered(func() {
		r.compute(out) // want `goroutine blocks for ever in compute, sending on unbuffered channel out: recoveredResult can return through the stop case without receiving from out`
	})
	select {
	case n := <-out:
		return n
	case <-stop:
		return 0
	}
}

// Twin: the caller always receives.
func recoveredResultWaits(r *result) int {
	out := make(chan int)
	go recovered(func() {
		r.compute(out)
	})
	return <-out
}

func asyncResult(s *stopper, stop chan struct{}, work func() error) error {
	errc := make(chan error)
	handle := func() {
		errc <- work() // want `goroutine blocks for ever sending on unbuffered channel errc: asyncResult can return through the stop case without receiving from errc`
	}
	s.runAsync(handle)
	select {
	case err := <-errc:
		return err
	case <-stop:
		return errStopped
	}
}

// Twin: the closure is also called by the function itself, so its send
// is not only a goroutine's.
func asyncResultOrInline(s *stopper, inline bool, stop chan struct{}, work func() error) error {
	errc := make(chan error)
	handle := func() {
		errc <- work()
	}
	if inline {
		handle()
	}
	s.runAsync(handle)
	select {
	case err := <-errc:
		return err
	case <-stop:
		return errStopped
	}
}

// watchErrors starts a goroutine that sends on errc the first error of
// poll, unless stop is closed first.
func watchErrors(stop <-chan struct{}, errc chan<- error, poll func() error) {
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := poll(); err != nil {
				errc <- err
				return
			}
		}
	}()
}

func watch(stop chan struct{}, poll func() error) error {
	errc := make(chan error)
	watchErrors(stop, errc, poll) // want `goroutine blocks for ever in watchErrors, sending on unbuffered channel errc: watch can return through the stop case without receiving from errc`
	select {
	case err := <-errc:
		return err
	case <-stop:
		return nil
	}
}

// Twin: the buffer holds the one error nobody takes.
func watchBuffered(stop chan struct{}, poll func() error) error {
	errc := make(chan error, 1)
	watchErrors(stop, errc, poll)
	select {
	case err := <-errc:
		return err
	case <-stop:
		return nil
	}
}

// Twin: the helper sends in its own code, not in a goroutine: the caller
// blocks with it, and nothing is left behind.
func sendHere(errc chan<- error, poll func() error) {
	errc <- poll()
}

func watchHere(poll func() error) error {
	errc := make(chan error, 1)
	sendHere(errc, poll)
	return <-errc
}
