package recv

import "time"

// A goroutine that runs a loop until Stop closes its stop channel: the
// contract report relates the loop as well as the case it waits on.
type flusher struct {
	stop chan struct{}
}

func newFlusher() *flusher {
	f := &flusher{stop: make(chan struct{})}
	go f.loop()
	return f
}

func (f *flusher) loop() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-f.stop:
			return
		}
	}
}

func (f *flusher) Stop() { close(f.stop) }

func (f *flusher) kick() {}

func forgetsFlusher() {
	f := newFlusher() // want `newFlusher starts a goroutine that runs until f.Stop is called, but forgetsFlusher never calls it: the goroutine leaks when f is dropped`
	f.kick()
}

// Silent: the flusher is stopped.
func stopsFlusher() {
	f := newFlusher()
	defer f.Stop()
}
