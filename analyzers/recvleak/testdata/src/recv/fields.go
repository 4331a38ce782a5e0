package recv

// A worker whose quit channel nothing ever closes or sends to.
type ticker struct {
	quit chan struct{}
}

func newTicker() *ticker {
	t := &ticker{quit: make(chan struct{})}
	go t.wait()
	return t
}

func (t *ticker) wait() {
	<-t.quit // want `goroutine blocks for ever receiving from t.quit: nothing in package recv sends to or closes field quit`
}

// The same shape, with a Stop that closes the channel: silent.
type worker struct {
	stop chan struct{}
}

func newWorker() *worker {
	w := &worker{stop: make(chan struct{})}
	go w.wait()
	return w
}

func (w *worker) wait() { <-w.stop }

func (w *worker) Stop() { close(w.stop) }

// Exported fields can be closed by other packages: silent.
type Exported struct {
	Done chan struct{}
}

func (e *Exported) Start() {
	go func() { <-e.Done }()
}

// A field given a channel that other code holds: silent.
type borrowed struct {
	done chan struct{}
}

func startBorrowed(done chan struct{}) {
	b := &borrowed{done: done}
	go func() { <-b.done }()
}

// Callers of newWorker must call Stop: the method contract is inferred.
func forgetsToStop() {
	w := newWorker() // want `newWorker starts a goroutine that runs until w.Stop is called, but forgetsToStop never calls it: the goroutine leaks when w is dropped`
	w.ping()
}

func (w *worker) ping() {}

func stops() {
	w := newWorker()
	defer w.Stop()
}

func handsOver() *worker {
	w := newWorker()
	return w
}

// A generic type: each method sees its own instance of the field.
type pool[T any] struct{ jobs chan T }

func (p *pool[T]) start() {
	go func() {
		for range p.jobs {
		}
	}()
}

func (p *pool[T]) stop() { close(p.jobs) }

// A release handed over as a method value.
func stopsLater(cleanup func(func())) {
	w := newWorker()
	cleanup(w.Stop)
}

// A getter that returns the field counts as the field at its call sites.
type gate struct{ done chan struct{} }

func (g *gate) wait() <-chan struct{} { return g.done }

func startGate() {
	g := &gate{done: make(chan struct{})}
	go func() {
		<-g.wait() // want `goroutine blocks for ever receiving from g.wait\(\): nothing in package recv sends to or closes field done`
	}()
}

// Twins: something closes the field; and an exported getter, whose
// callers in other packages are out of sight.
type openGate struct{ done chan struct{} }

func (g *openGate) wait() <-chan struct{} { return g.done }
func (g *openGate) open()                 { close(g.done) }

func startOpenGate() {
	g := &openGate{done: make(chan struct{})}
	go func() { <-g.wait() }()
	g.open()
}

type publicGate struct{ done chan struct{} }

func (g *publicGate) Done() <-chan struct{} { return g.done }

func startPublicGate() *publicGate {
	g := &publicGate{done: make(chan struct{})}
	go func() { <-g.Done() }()
	return g
}

// A getter may guard against a nil receiver first; its nil result blocks
// as surely as the field.
type stopper struct{ quiesce chan struct{} }

func (s *stopper) shouldQuiesce() <-chan struct{} {
	if s == nil {
		return nil
	}
	return s.quiesce
}

func startQuiesce() {
	s := &stopper{quiesce: make(chan struct{})}
	go func() {
		<-s.shouldQuiesce() // want `goroutine blocks for ever receiving from s.shouldQuiesce\(\): nothing in package recv sends to or closes field quiesce`
	}()
}

// Twin: the guard returns something else.
type stopper2 struct {
	quiesce chan struct{}
	never   chan struct{}
}

func (s *stopper2) shouldQuiesce() <-chan struct{} {
	if s == nil {
		return s.never
	}
	return s.quiesce
}

func startQuiesce2() {
	s := &stopper2{quiesce: make(chan struct{}), never: make(chan struct{})}
	go func() {
		<-s.shouldQuiesce()
	}()
}

// A goroutine uses w after forgetsInGoroutine returns: deferring w.Stop
// would stop it under the goroutine's feet, so no fix.
func forgetsInGoroutine(jobs []int) {
	w := newWorker() // want `newWorker starts a goroutine that runs until w.Stop is called, but forgetsInGoroutine never calls it: the goroutine leaks when w is dropped`
	go func() {
		for range jobs {
			w.ping()
		}
	}()
}
