package recv

import "testing"

func work() error { return nil }

// A goroutine that marks its test failed and returns leaves its parent
// waiting only when the test fails: that is testleak's (the bundle's
// testfail package), not recvleak's.
func checkWorkFails(t *testing.T) {
	done := make(chan struct{})
	go func() {
		if err := work(); err != nil {
			t.Errorf("work: %v", err)
			return
		}
		close(done)
	}()
	<-done
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
