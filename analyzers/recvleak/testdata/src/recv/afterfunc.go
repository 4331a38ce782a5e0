package recv

import (
	"errors"
	"time"
)

// A timer made by time.AfterFunc calls its function instead of sending:
// its C is nil. The idiom "if !t.Stop() { <-t.C }", right for NewTimer,
// blocks for ever on such a timer once it has fired.

func receiveFrame() error { return errors.New("closed") }

func closeStream() {}

// The stream reader drains the timer's channel through a closure that is
// handed the timer: it waits for ever.
func readWithFrameTimeout(frameTimeout time.Duration) {
	go func() {
		handle := func(t *time.Timer) bool {
			if err := receiveFrame(); err != nil {
				if t != nil && !t.Stop() {
					<-t.C // want `goroutine blocks for ever receiving from t.C: the timer is made by time.AfterFunc, which calls a function instead of sending, so t.C is nil`
				}
				return false
			}
			return true
		}
		var t *time.Timer
		if frameTimeout > 0 {
			t = time.AfterFunc(frameTimeout, closeStream)
			defer t.Stop()
		}
		for handle(t) {
		}
	}()
}

// Twin: the same with a timer that sends, made by time.NewTimer.
func readWithNewTimer(frameTimeout time.Duration) {
	go func() {
		handle := func(t *time.Timer) bool {
			if err := receiveFrame(); err != nil {
				if !t.Stop() {
					<-t.C
				}
				return false
			}
			return true
		}
		t := time.NewTimer(frameTimeout)
		for handle(t) {
		}
	}()
}

// Twin: the closure is also given a timer from elsewhere, which may send.
func readWithEitherTimer(frameTimeout time.Duration, other *time.Timer) {
	go func() {
		handle := func(t *time.Timer) bool {
			if !t.Stop() {
				<-t.C
			}
			return false
		}
		handle(time.AfterFunc(frameTimeout, closeStream))
		handle(other)
	}()
}

// The direct form, in a goroutine.
func waitAfterFunc(d time.Duration) {
	go func() {
		t := time.AfterFunc(d, closeStream)
		<-t.C // want `goroutine blocks for ever receiving from t.C: the timer is made by time.AfterFunc, which calls a function instead of sending, so t.C is nil`
	}()
}

// Twin (the maintainers' fix): the drain is skipped when C is nil.
func waitAfterFuncChecked(d time.Duration) {
	go func() {
		t := time.AfterFunc(d, closeStream)
		if !t.Stop() && t.C != nil {
			<-t.C
		}
	}()
}
