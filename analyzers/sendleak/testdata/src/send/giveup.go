package send

import "context"

// A stream kept in a struct: a goroutine sends the producer's outcome on
// an unbuffered field, and Recv, the only reader, returns once the
// stream's context is cancelled (the shape of a server used as a client).
type stream struct {
	ctx    context.Context
	cancel context.CancelFunc
	items  chan int
	errc   chan error
}

func produce(s *stream) error { return nil }

func openStream(ctx context.Context) *stream {
	s := &stream{items: make(chan int), errc: make(chan error)}
	s.ctx, s.cancel = context.WithCancel(ctx)
	go func() {
		s.errc <- produce(s) // want `goroutine blocks for ever sending on unbuffered channel s.errc once Recv has given up: every receive from field errc in package send can give up for good instead and the send has no case for that`
		close(s.items)
	}()
	return s
}

func (s *stream) Close() { s.cancel() }

func (s *stream) Recv() (int, error) {
	select {
	case <-s.ctx.Done():
		return 0, s.ctx.Err()
	case v, ok := <-s.items:
		if !ok {
			return 0, nil
		}
		return v, nil
	case err := <-s.errc:
		return 0, err
	}
}

// Its twin's reader has no case that gives up: silent.
type plainStream struct {
	items chan int
	errc  chan error
}

func openPlainStream() *plainStream {
	s := &plainStream{items: make(chan int), errc: make(chan error)}
	go func() {
		s.errc <- nil
		close(s.items)
	}()
	return s
}

func (s *plainStream) Recv() (int, error) {
	select {
	case v := <-s.items:
		return v, nil
	case err := <-s.errc:
		return 0, err
	}
}

// A log whose background loop stops when Close closes stopc; each cut
// starts two goroutines that hand the loop a job, and the buffer holds
// one.
type journal struct {
	stopc  chan struct{}
	donec  chan struct{}
	actorc chan func()
}

func openJournal() *journal {
	j := &journal{stopc: make(chan struct{}), donec: make(chan struct{}), actorc: make(chan func(), 1)}
	go j.run()
	return j
}

func (j *journal) cut() {
	go func() {
		j.actorc <- func() {}
	}()
	go func() {
		j.actorc <- func() {} // want `goroutine blocks for ever sending on j.actorc once run has given up: every receive from field actorc in package send can give up for good instead, the goroutines one call of cut starts send 2 values, more than the buffer of 1 holds, and the send has no case for that`
	}()
}

func (j *journal) run() {
	defer close(j.donec)
	for {
		select {
		case <-j.stopc:
			return
		case f := <-j.actorc:
			f()
		}
	}
}

func (j *journal) Close() {
	close(j.stopc)
	<-j.donec
}

// Its twin's buffer holds both jobs: silent.
type roomyJournal struct {
	stopc  chan struct{}
	actorc chan func()
}

func openRoomyJournal() *roomyJournal {
	j := &roomyJournal{stopc: make(chan struct{}), actorc: make(chan func(), 2)}
	go j.run()
	return j
}

func (j *roomyJournal) cut() {
	go func() { j.actorc <- func() {} }()
	go func() { j.actorc <- func() {} }()
}

func (j *roomyJournal) run() {
	for {
		select {
		case <-j.stopc:
			return
		case f := <-j.actorc:
			f()
		}
	}
}

func (j *roomyJournal) Close() { close(j.stopc) }

// A reader that gives up on a context it is passed: the next call brings
// another and receives what is left, so silent.
type waiter struct {
	results chan int
}

func (w *waiter) start() {
	go func() { w.results <- 1 }()
}

func (w *waiter) wait(ctx context.Context) int {
	select {
	case <-ctx.Done():
		return 0
	case v := <-w.results:
		return v
	}
}

// A reader that also drains the field with a plain receive: silent.
type drained struct {
	stop chan struct{}
	out  chan int
}

func (d *drained) start() {
	go func() { d.out <- 1 }()
}

func (d *drained) next() int {
	select {
	case <-d.stop:
		return 0
	case v := <-d.out:
		return v
	}
}

func (d *drained) Close() {
	close(d.stop)
	<-d.out
}

// A connection whose reader loop, a method run as a goroutine, hands each
// message to the dispatcher, which returns once Close closes closed.
type connection struct {
	inbox  chan int
	closed chan struct{}
}

func newConnection() *connection {
	c := &connection{inbox: make(chan int), closed: make(chan struct{})}
	go c.readLoop()
	go c.dispatch()
	return c
}

func (c *connection) readLoop() {
	for i := 0; i < 100; i++ {
		c.inbox <- i // want `goroutine blocks for ever sending on unbuffered channel c.inbox once dispatch has given up: every receive from field inbox in package send can give up for good instead and the send has no case for that`
	}
}

func (c *connection) dispatch() {
	for {
		select {
		case <-c.inbox:
		case <-c.closed:
			return
		}
	}
}

func (c *connection) Close() { close(c.closed) }

// Its twin's reader loop stops on closed too: silent.
type guardedConnection struct {
	inbox  chan int
	closed chan struct{}
}

func newGuardedConnection() *guardedConnection {
	c := &guardedConnection{inbox: make(chan int), closed: make(chan struct{})}
	go c.readLoop()
	go c.dispatch()
	return c
}

func (c *guardedConnection) readLoop() {
	for i := 0; i < 100; i++ {
		select {
		case c.inbox <- i:
		case <-c.closed:
			return
		}
	}
}

func (c *guardedConnection) dispatch() {
	for {
		select {
		case <-c.inbox:
		case <-c.closed:
			return
		}
	}
}

func (c *guardedConnection) Close() { close(c.closed) }

// A watcher whose context only stop, the sender, cancels, after its send,
// and run, after its receive: run cannot give up before the send, so
// silent.
type ctxWatcher struct {
	ctx    context.Context
	cancel context.CancelFunc
	errc   chan error
}

func newCtxWatcher() *ctxWatcher {
	ctx, cancel := context.WithCancel(context.Background())
	return &ctxWatcher{ctx: ctx, cancel: cancel, errc: make(chan error)}
}

func (w *ctxWatcher) start() {
	go w.run()
	go w.stop()
}

func (w *ctxWatcher) stop() {
	w.errc <- nil
	w.cancel()
}

func (w *ctxWatcher) run() {
	select {
	case <-w.errc:
		w.cancel()
	case <-w.ctx.Done():
	}
}
