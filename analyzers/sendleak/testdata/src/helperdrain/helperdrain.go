// Package helperdrain holds goroutines whose value a helper goroutine
// drains (go func() { <-ch }()) on some paths only: the helper releases
// the sender on the paths that start it, and a path that skips its start
// strands the sender. Each must-flag case is followed by correct twins.
package helperdrain

import (
	"errors"
	"time"
)

func lookup() int { return 1 }

var errTimeout = errors.New("timeout")

// The helper drains the answer only once the caller has stopped waiting
// for it on a signal; the timeout case returns without it.
func drainOnSignal(ready <-chan struct{}) error {
	answer := make(chan int)
	go func() {
		answer <- lookup() // want `goroutine blocks for ever sending on unbuffered channel answer: drainOnSignal can return through the time.After case without receiving from answer`
	}()
	select {
	case <-ready:
		go func() { <-answer }()
		return nil
	case <-time.After(time.Second):
		return errTimeout
	}
}

// Twin: the timeout case starts the helper too.
func drainOnEveryPath(ready <-chan struct{}) error {
	answer := make(chan int)
	go func() {
		answer <- lookup()
	}()
	select {
	case <-ready:
		go func() { <-answer }()
		return nil
	case <-time.After(time.Second):
		go func() { <-answer }()
		return errTimeout
	}
}

// Twin: the helper is started after the select, on the one way out.
func drainAfterWait(ready <-chan struct{}) error {
	answer := make(chan int)
	go func() {
		answer <- lookup()
	}()
	select {
	case <-ready:
	case <-time.After(time.Second):
	}
	go func() { <-answer }()
	return nil
}

// Twin: the answer is received in place on the other path.
func receiveOrDrain(ready <-chan struct{}) (int, error) {
	answer := make(chan int)
	go func() {
		answer <- lookup()
	}()
	select {
	case <-ready:
		return <-answer, nil
	case <-time.After(time.Second):
		go func() { <-answer }()
		return 0, errTimeout
	}
}

// Twin: a helper started before the sender drains it whatever the path:
// its timing is not followed.
func drainFirst(ready <-chan struct{}) error {
	answer := make(chan int)
	go func() {
		for range answer {
		}
	}()
	go func() {
		answer <- lookup()
		close(answer)
	}()
	select {
	case <-ready:
		return nil
	case <-time.After(time.Second):
		return errTimeout
	}
}
