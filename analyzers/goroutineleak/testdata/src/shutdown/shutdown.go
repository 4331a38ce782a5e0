// Package shutdown holds one-sided shutdowns: a goroutine that stops
// receiving when its type is shut down, and exported methods that still
// send to it.
package shutdown

import (
	"context"
	"sync"
	"sync/atomic"
)

type Status struct{}

// The etcd #6857 shape: Status sends on n.status with no case for stop.
type Node struct {
	status chan chan Status
	stop   chan struct{}
	done   chan struct{}
}

func NewNode() *Node {
	n := &Node{status: make(chan chan Status), stop: make(chan struct{}), done: make(chan struct{})}
	go n.run()
	return n
}

func (n *Node) run() {
	for {
		select {
		case c := <-n.status:
			c <- Status{}
		case <-n.stop:
			close(n.done)
			return
		}
	}
}

func (n *Node) Status() Status {
	c := make(chan Status)
	n.status <- c // want `Status blocks for ever sending on unbuffered channel n.status once Stop has been called: its only receiver, a goroutine of the same type, returns then, and the send has no case for shutdown`
	return <-c
}

func (n *Node) Stop() {
	select {
	case n.stop <- struct{}{}:
	case <-n.done:
		return
	}
	<-n.done
}

// Twin: the send selects on done.
type Node2 struct {
	status chan chan Status
	stop   chan struct{}
	done   chan struct{}
}

func NewNode2() *Node2 {
	n := &Node2{status: make(chan chan Status), stop: make(chan struct{}), done: make(chan struct{})}
	go n.run()
	return n
}

func (n *Node2) run() {
	defer close(n.done)
	for {
		select {
		case c := <-n.status:
			c <- Status{}
		case <-n.stop:
			return
		}
	}
}

func (n *Node2) Status() (Status, bool) {
	c := make(chan Status)
	select {
	case n.status <- c:
	case <-n.done:
		return Status{}, false
	}
	return <-c, true
}

func (n *Node2) Stop() { close(n.stop) }

// Twin: a closed flag that Close sets guards the send.
type Queue struct {
	mu     sync.Mutex
	closed bool
	jobs   chan int
	quit   chan struct{}
}

func NewQueue() *Queue {
	q := &Queue{jobs: make(chan int), quit: make(chan struct{})}
	go q.loop()
	return q
}

func (q *Queue) loop() {
	for {
		select {
		case <-q.jobs:
		case <-q.quit:
			return
		}
	}
}

func (q *Queue) Push(j int) {
	q.mu.Lock()
	closed := q.closed
	q.mu.Unlock()
	if closed {
		return
	}
	q.jobs <- j
}

func (q *Queue) Close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	close(q.quit)
}

// Twin: an atomic flag.
type Queue2 struct {
	closed atomic.Bool
	jobs   chan int
	quit   chan struct{}
}

func NewQueue2() *Queue2 {
	q := &Queue2{jobs: make(chan int), quit: make(chan struct{})}
	go q.loop()
	return q
}

func (q *Queue2) loop() {
	for {
		select {
		case <-q.jobs:
		case <-q.quit:
			return
		}
	}
}

func (q *Queue2) Push(j int) {
	if q.closed.Load() {
		return
	}
	q.jobs <- j
}

func (q *Queue2) Close() {
	q.closed.Store(true)
	close(q.quit)
}

// Twin: the send is in an unexported method, called only by code that
// runs before shutdown.
type Worker struct {
	work chan int
	quit chan struct{}
}

func StartWorker() *Worker {
	w := &Worker{work: make(chan int), quit: make(chan struct{})}
	go w.loop()
	w.submit(1)
	return w
}

func (w *Worker) loop() {
	for {
		select {
		case <-w.work:
		case <-w.quit:
			return
		}
	}
}

func (w *Worker) submit(j int) { w.work <- j }

func (w *Worker) Stop() { close(w.quit) }

// Twin: another goroutine also receives from the field.
type Pool struct {
	work chan int
	quit chan struct{}
}

func StartPool() *Pool {
	p := &Pool{work: make(chan int), quit: make(chan struct{})}
	go p.loop()
	go p.drain()
	return p
}

func (p *Pool) loop() {
	for {
		select {
		case <-p.work:
		case <-p.quit:
			return
		}
	}
}

// drain itself never ends: nothing closes work.
func (p *Pool) drain() {
	for range p.work { // want `goroutine blocks for ever ranging over p.work: nothing in package shutdown closes field work, so the range over it never ends`
	}
}

func (p *Pool) Submit(j int) { p.work <- j }

func (p *Pool) Stop() { close(p.quit) }

// The goroutine is a literal in a Start method; Submit sends unguarded.
type Server struct {
	reqs chan int
	quit chan struct{}
}

func (s *Server) Start() {
	s.reqs = make(chan int)
	s.quit = make(chan struct{})
	go func() {
		for {
			select {
			case <-s.reqs:
			case <-s.quit:
				return
			}
		}
	}()
}

func (s *Server) Submit(r int) {
	s.reqs <- r // want `Submit blocks for ever sending on unbuffered channel s.reqs once Shutdown has been called`
}

func (s *Server) Shutdown() { close(s.quit) }

// Twin: the loop has another way out than shutdown.
type Reader struct {
	lines chan string
	quit  chan struct{}
	n     int
}

func NewReader() *Reader {
	r := &Reader{lines: make(chan string), quit: make(chan struct{})}
	go r.loop()
	return r
}

func (r *Reader) loop() {
	for {
		select {
		case <-r.lines:
			r.n++
			if r.n > 10 {
				return
			}
		case <-r.quit:
			return
		}
	}
}

func (r *Reader) Feed(s string) { r.lines <- s }

func (r *Reader) Close() { close(r.quit) }

// A goroutine the type starts sends to a loop that returns when its
// context is cancelled (the istio #17860 shape).
type Agent struct {
	mu       sync.Mutex
	statusCh chan int
	epoch    int
}

func (a *Agent) Run(ctx context.Context) {
	for {
		select {
		case <-a.statusCh:
		case <-ctx.Done():
			return
		}
	}
}

func (a *Agent) Restart() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.epoch++
	go a.runWait(a.epoch)
}

func (a *Agent) runWait(epoch int) {
	a.statusCh <- epoch // want `goroutine blocks for ever sending on unbuffered channel a.statusCh once Run has returned: Run, its only receiver, returns on shutdown, and the send has no case for that`
}

func NewAgent() *Agent { return &Agent{statusCh: make(chan int)} }

// Twin: the goroutine selects on the context too.
type Agent2 struct {
	statusCh chan int
}

func (a *Agent2) Run(ctx context.Context) {
	for {
		select {
		case <-a.statusCh:
		case <-ctx.Done():
			return
		}
	}
}

func (a *Agent2) Restart(ctx context.Context) {
	go func() {
		select {
		case a.statusCh <- 1:
		case <-ctx.Done():
		}
	}()
}

func NewAgent2() *Agent2 { return &Agent2{statusCh: make(chan int)} }

// Twin: the loop returns only once every sender has reported.
type Agent3 struct {
	statusCh chan int
	active   int
}

func (a *Agent3) Run() {
	for {
		select {
		case <-a.statusCh:
			a.active--
			if a.active == 0 {
				return
			}
		}
	}
}

func (a *Agent3) Start(n int) {
	a.active = n
	for i := range n {
		go a.report(i)
	}
}

func (a *Agent3) report(i int) { a.statusCh <- i }

func NewAgent3() *Agent3 { return &Agent3{statusCh: make(chan int)} }

// A goroutine the type starts in the method that loops, on the same
// context: the fix selects on ctx.Done().
type Pump struct {
	out chan int
}

func (p *Pump) Run(ctx context.Context) {
	go func() {
		p.out <- 1 // want `goroutine blocks for ever sending on unbuffered channel p.out once Run has returned: Run, its only receiver, returns on shutdown, and the send has no case for that`
	}()
	for {
		select {
		case <-p.out:
		case <-ctx.Done():
			return
		}
	}
}

func NewPump() *Pump { return &Pump{out: make(chan int)} }

// Shutdown sends on quit instead of closing it: a case on quit in Submit
// would take the signal meant for the loop, so there is no fix.
type Server2 struct {
	reqs chan int
	quit chan struct{}
}

func NewServer2() *Server2 {
	s := &Server2{reqs: make(chan int), quit: make(chan struct{})}
	go s.loop()
	return s
}

func (s *Server2) loop() {
	for {
		select {
		case <-s.reqs:
		case <-s.quit:
			return
		}
	}
}

func (s *Server2) Submit(r int) {
	s.reqs <- r // want `Submit blocks for ever sending on unbuffered channel s.reqs once Shutdown has been called`
}

func (s *Server2) Shutdown() { s.quit <- struct{}{} }

// Submit returns a value: what to return once shut down is not ours to
// choose, so there is no fix.
type Server3 struct {
	reqs chan int
	quit chan struct{}
}

func NewServer3() *Server3 {
	s := &Server3{reqs: make(chan int), quit: make(chan struct{})}
	go s.loop()
	return s
}

func (s *Server3) loop() {
	for {
		select {
		case <-s.reqs:
		case <-s.quit:
			return
		}
	}
}

func (s *Server3) Submit(r int) bool {
	s.reqs <- r // want `Submit blocks for ever sending on unbuffered channel s.reqs once Shutdown has been called`
	return true
}

func (s *Server3) Shutdown() { close(s.quit) }
