// Package closurevar holds goroutines started through a closure held in a
// local variable (go handle(...)): the closure's code is the goroutine's.
// Each must-flag case is followed by correct twins.
package closurevar

import (
	"errors"
	"time"
)

func fetch() int { return 1 }

var errTimeout = errors.New("timeout")

func withTimeout() (int, error) {
	out := make(chan int)
	handle := func() {
		out <- fetch() // want `goroutine blocks for ever sending on unbuffered channel out: withTimeout can return through the time.After case without receiving from out`
	}
	go handle()
	select {
	case v := <-out:
		return v, nil
	case <-time.After(time.Second):
		return 0, errTimeout
	}
}

// Twin: the closure is also called in the function itself, so its send
// is not only the goroutine's.
func calledToo() (int, error) {
	out := make(chan int, 1)
	handle := func() {
		out <- fetch()
	}
	handle()
	<-out
	go handle()
	select {
	case v := <-out:
		return v, nil
	case <-time.After(time.Second):
		return 0, errTimeout
	}
}

// Twin: the channel has a buffer for the one send.
func buffered() (int, error) {
	out := make(chan int, 1)
	handle := func() {
		out <- fetch()
	}
	go handle()
	select {
	case v := <-out:
		return v, nil
	case <-time.After(time.Second):
		return 0, errTimeout
	}
}

// Twin: the variable is given two closures; which one runs is beyond us.
func reassigned(fast bool) (int, error) {
	out := make(chan int)
	handle := func() { out <- fetch() }
	if fast {
		handle = func() { out <- 0 }
	}
	go handle()
	select {
	case v := <-out:
		return v, nil
	case <-time.After(time.Second):
		return 0, errTimeout
	}
}
