package go127

// The channel fields live in embedded structs and are set through
// promoted keys, which Go 1.27 allows in struct literals.

type stopper struct{ quit chan struct{} }

type Worker struct {
	name string
	stopper
}

func NewWorker() *Worker {
	w := &Worker{name: "w", quit: make(chan struct{})}
	go w.run()
	return w
}

// NewNestedWorker is NewWorker with the literal spelled out.
func NewNestedWorker() *Worker {
	w := &Worker{name: "w", stopper: stopper{quit: make(chan struct{})}}
	go w.run()
	return w
}

func (w *Worker) run() {
	<-w.quit // Stop closes it
}

func (w *Worker) Stop() { close(w.quit) }

type sleeper struct{ wake chan struct{} }

// Stuck is Worker's twin without a Stop: nothing closes wake.
type Stuck struct {
	name string
	sleeper
}

func NewStuck() *Stuck {
	s := &Stuck{name: "s", wake: make(chan struct{})}
	go s.run()
	return s
}

func (s *Stuck) run() {
	<-s.wake // want "goroutine blocks for ever receiving from s.wake: nothing in package go127 sends to or closes field wake"
}

// Generic methods and promoted keys together.
type pair[T any] struct{ results chan T }

type Gatherer[T any] struct {
	name string
	pair[T]
}

func (g *Gatherer[T]) Gather[U any](conv func(U) T, in []U) []T {
	g2 := &Gatherer[T]{name: g.name, results: make(chan T, len(in))}
	for _, v := range in {
		go func() { g2.results <- conv(v) }()
	}
	var out []T
	for range in {
		out = append(out, <-g2.results)
	}
	return out
}
