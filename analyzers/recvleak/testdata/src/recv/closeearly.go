package recv

import "errors"

// A log whose writer goroutine runs until Close hands it a done channel.
// Close flushes first, and returns when the flush fails: the writer is
// never told to stop.
type journal struct {
	actions chan func()
	stop    chan chan struct{}
	pending int
	closed  bool
}

func openJournal() *journal {
	j := &journal{actions: make(chan func(), 8), stop: make(chan chan struct{})}
	go j.write()
	return j
}

func (j *journal) write() {
Loop:
	for {
		select {
		case f := <-j.actions:
			f()
		case done := <-j.stop:
			close(done)
			break Loop
		}
	}
}

func (j *journal) flush() error {
	if j.pending > 0 {
		return errors.New("short write")
	}
	return nil
}

func (j *journal) Close() error {
	if j.closed {
		return errors.New("closed twice") // silent: the object's own state, not a failure
	}
	if err := j.flush(); err != nil {
		return err // want `Close returns on this error before it releases the goroutine that openJournal starts: a caller calls Close once, and the goroutine leaks when the error happens`
	}
	done := make(chan struct{})
	j.stop <- done
	<-done
	j.closed = true
	return nil
}

// The same log, told to stop before it flushes: silent.
type ledger struct {
	actions chan func()
	stop    chan chan struct{}
	pending int
}

func openLedger() *ledger {
	l := &ledger{actions: make(chan func(), 8), stop: make(chan chan struct{})}
	go l.write()
	return l
}

func (l *ledger) write() {
Loop:
	for {
		select {
		case f := <-l.actions:
			f()
		case done := <-l.stop:
			close(done)
			break Loop
		}
	}
}

func (l *ledger) flush() error {
	if l.pending > 0 {
		return errors.New("short write")
	}
	return nil
}

func (l *ledger) Close() error {
	done := make(chan struct{})
	l.stop <- done
	<-done
	if err := l.flush(); err != nil {
		return err
	}
	return nil
}

// A Start method whose loop runs until Close closes shutdown; Close first
// resigns from an election, and returns when that fails.
type elector interface{ Resign() error }

type calculator struct {
	election elector
	shutdown chan struct{}
}

func (c *calculator) Start() error {
	c.shutdown = make(chan struct{})
	go c.loop()
	return nil
}

func (c *calculator) loop() {
	for {
		select {
		case <-c.shutdown:
			return
		}
	}
}

func (c *calculator) Close() error {
	if err := c.election.Resign(); err != nil {
		return err // want `Close returns on this error before it releases the goroutine that Start starts`
	}
	close(c.shutdown)
	return nil
}

// The same, closing shutdown whatever the election says: silent.
type estimator struct {
	election elector
	shutdown chan struct{}
}

func (e *estimator) Start() error {
	e.shutdown = make(chan struct{})
	go e.loop()
	return nil
}

func (e *estimator) loop() {
	for {
		select {
		case <-e.shutdown:
			return
		}
	}
}

func (e *estimator) Close() error {
	err := e.election.Resign()
	close(e.shutdown)
	return err
}
