package recv

import "testing"

func work() error { return nil }

// A goroutine that marks the test failed and returns leaves its parent
// waiting: the test hangs instead of failing.
func checkWork(t *testing.T) {
	done := make(chan struct{})
	go func() {
		if err := work(); err != nil {
			t.Errorf("work: %v", err)
			return
		}
		close(done)
	}()
	<-done // want `checkWork blocks for ever receiving from done: the goroutine it starts can return, when the test fails, without sending to or closing done`
}

// Twin: a buffered channel read only when something is in it.
func pollWork() error {
	errc := make(chan error, 1)
	go func() {
		if err := work(); err != nil {
			return
		}
		errc <- nil
	}()
	if len(errc) != 0 {
		return <-errc
	}
	return nil
}
