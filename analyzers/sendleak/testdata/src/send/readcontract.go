package send

import "errors"

// Read contracts: a Start method (or a constructor) starts a goroutine
// whose last act is a plain send on an unbuffered field, and only a
// method of the type takes that value: one that receives it, or a getter
// that hands the channel out. A caller that never calls one leaves the
// goroutine blocked on its send once what it waited for is over.

func serveUntilStopped() error { return nil }

// A status server reports, when its serving ends, that it is down; only
// the getter Down hands the channel to a watcher.
type statusServer struct {
	down chan bool
}

func newStatusServer() *statusServer { return &statusServer{down: make(chan bool)} }

func (s *statusServer) Start() error {
	if s.down == nil {
		return errors.New("not made by newStatusServer")
	}
	go func() {
		if err := serveUntilStopped(); err != nil {
			println(err.Error())
		}
		s.down <- true
	}()
	return nil
}

func (s *statusServer) Down() chan bool { return s.down }

func (s *statusServer) Stop() {}

func startsUnwatched() {
	s := newStatusServer()
	s.Start() // want `s.Start starts a goroutine that ends by sending on down, which only s.Down receives or hands out, but startsUnwatched never calls it: the goroutine leaks, blocked on that send, when s is dropped`
	s.Stop()
}

// The twin watches the server's end.
func startsWatched() {
	s := newStatusServer()
	s.Start()
	s.Stop()
	<-s.Down()
}

// Error stands for an assertion that its argument is an error.
func Error(err error) {}

// A start asserted to fail starts nothing.
func startsFailing() {
	s := &statusServer{}
	Error(s.Start())
}

// A lookup started by its constructor; Result is its only reader.
type pendingLookup struct {
	result chan string
}

func resolveName() string { return "" }

func newLookup() *pendingLookup {
	l := &pendingLookup{result: make(chan string)}
	go func() {
		l.result <- resolveName()
	}()
	return l
}

func (l *pendingLookup) Result() string { return <-l.result }

func discardsLookup() {
	newLookup() // want `newLookup starts a goroutine that ends by sending on result, which only Result on its result receives or hands out, but the result is discarded: the goroutine leaks, blocked on that send`
}

func readsLookup() string {
	l := newLookup()
	return l.Result()
}

// Twins with no contract: a buffer holds the one value; the goroutine can
// return before it sends; the field is closed too; a function that is not
// a method reads the field.
type bufferedResult struct{ result chan string }

func newBufferedResult() *bufferedResult {
	l := &bufferedResult{result: make(chan string, 1)}
	go func() { l.result <- resolveName() }()
	return l
}

func (l *bufferedResult) Result() string { return <-l.result }

func discardsBufferedResult() { newBufferedResult() }

type maybeResult struct{ result chan string }

func newMaybeResult() *maybeResult {
	l := &maybeResult{result: make(chan string)}
	go func() {
		if err := serveUntilStopped(); err != nil {
			return
		}
		l.result <- resolveName()
	}()
	return l
}

func (l *maybeResult) Result() string { return <-l.result }

func discardsMaybeResult() { newMaybeResult() }

type closedResult struct{ result chan string }

func newClosedResult() *closedResult {
	l := &closedResult{result: make(chan string)}
	go func() { l.result <- resolveName() }()
	return l
}

func (l *closedResult) Result() string { return <-l.result }

func (l *closedResult) Close() { close(l.result) }

func discardsClosedResult() { newClosedResult() }

type sharedResult struct{ result chan string }

func newSharedResult() *sharedResult {
	l := &sharedResult{result: make(chan string)}
	go func() { l.result <- resolveName() }()
	return l
}

func (l *sharedResult) Result() string { return <-l.result }

func drainResult(l *sharedResult) { <-l.result }

func discardsSharedResult() { newSharedResult() }
