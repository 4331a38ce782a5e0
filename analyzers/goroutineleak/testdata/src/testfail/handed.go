package testfail

import (
	"testing"
	"time"
)

// A callback handed to another package (time.AfterFunc runs it on a
// goroutine of its own) sends on a channel that the test stops waiting
// for only when it fails: then the callback's goroutine blocks for ever.
func checkTimer(t *testing.T) {
	fired := make(chan struct{})
	time.AfterFunc(time.Millisecond, func() {
		fired <- struct{}{} // want `goroutine blocks for ever sending on unbuffered channel fired in a callback handed to time.AfterFunc: the other package runs it on its own goroutine, as often as it chooses, and checkTimer receives from fired only in a select that can give up on the time.After case and not come back`
	})
	select {
	case <-fired:
	case <-time.After(time.Second):
		t.Fatal("the timer did not fire")
	}
}

// Twin: a buffer for the one send.
func checkTimerBuffered(t *testing.T) {
	fired := make(chan struct{}, 1)
	time.AfterFunc(time.Millisecond, func() {
		fired <- struct{}{}
	})
	select {
	case <-fired:
	case <-time.After(time.Second):
		t.Fatal("the timer did not fire")
	}
}
