package fx

// The send has two fixes, a buffer and a select on done: golangci-lint
// applies every fix of a report, so the plugin gives it one. (A done
// channel rather than a context: the test then loads no package but this.)
func withDone(stop bool) int {
	out := make(chan int)
	done := make(chan struct{})
	if stop {
		close(done)
	}
	go func() {
		out <- 1 // want `goroutine blocks for ever sending on unbuffered channel out`
	}()
	select {
	case v := <-out:
		return v
	case <-done:
		return 0
	}
}
