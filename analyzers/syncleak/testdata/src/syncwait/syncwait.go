// Package syncwait holds goroutines blocked for ever on a WaitGroup, a
// Cond or a mutex, each beside a twin that is released, and, for the
// other analyzers, a receive and a send that block for ever too.
package syncwait

import "sync"

// A WaitGroup added to and never done: the closer never closes out.
var pending sync.WaitGroup

func startJob(out chan<- int) {
	pending.Add(1)
	out <- 1
}

func Merge() int {
	out := make(chan int, 10)
	for range 3 {
		startJob(out)
	}
	go func() {
		pending.Wait() // want `goroutine blocks for ever in pending.Wait\(\), so it never runs close\(out\): nothing in package syncwait calls pending.Done`
		close(out)
	}()
	n := 0
	for v := range out {
		n += v
	}
	return n
}

// Twin: each job is done.
var pending2 sync.WaitGroup

func startJob2(out chan<- int) {
	pending2.Add(1)
	defer pending2.Done()
	out <- 1
}

func Merge2() int {
	out := make(chan int, 10)
	for range 3 {
		startJob2(out)
	}
	go func() {
		pending2.Wait()
		close(out)
	}()
	n := 0
	for v := range out {
		n += v
	}
	return n
}

// A Wait in a callee of the goroutine.
type stopper struct{ drain sync.WaitGroup }

func (s *stopper) startTask() { s.drain.Add(1) }

func (s *stopper) quiesce() {
	s.drain.Wait() // want `goroutine blocks for ever in s.drain.Wait\(\): nothing in package syncwait calls s.drain.Done`
}

func Quiesce() {
	s := &stopper{}
	s.startTask()
	go s.quiesce()
}

// Twin: the task is done.
type stopper2 struct{ drain sync.WaitGroup }

func (s *stopper2) startTask() { s.drain.Add(1) }
func (s *stopper2) endTask()   { s.drain.Done() }
func (s *stopper2) quiesce()   { s.drain.Wait() }

func Quiesce2() {
	s := &stopper2{}
	s.startTask()
	go s.quiesce()
	s.endTask()
}

// A Cond that nothing signals.
type gate struct {
	cond *sync.Cond
	open bool
}

func (g *gate) wait() {
	g.cond.L.Lock()
	for !g.open {
		g.cond.Wait() // want `goroutine blocks for ever in g.cond.Wait\(\): nothing in package syncwait calls Signal or Broadcast on cond`
	}
	g.cond.L.Unlock()
}

func Gate() {
	g := &gate{cond: sync.NewCond(&sync.Mutex{})}
	go g.wait()
}

// Twin: the gate is opened with a Broadcast.
type gate2 struct {
	cond *sync.Cond
	open bool
}

func (g *gate2) wait() {
	g.cond.L.Lock()
	for !g.open {
		g.cond.Wait()
	}
	g.cond.L.Unlock()
}

func (g *gate2) release() {
	g.cond.L.Lock()
	g.open = true
	g.cond.L.Unlock()
	g.cond.Broadcast()
}

func Gate2() {
	g := &gate2{cond: sync.NewCond(&sync.Mutex{})}
	go g.wait()
	g.release()
}

// A method that can return holding its lock: the goroutine's Lock after
// it blocks for ever.
type store struct {
	sync.Mutex
	dirty int
}

func (s *store) flush() {
	s.Lock()
	if s.dirty == 0 {
		return
	}
	s.dirty = 0
	s.Unlock()
}

func Flush() {
	s := &store{}
	s.flush()
	go func() {
		s.Lock() // want `goroutine blocks for ever in s.Lock\(\): flush can return leaving that lock held, and then nothing unlocks it`
		defer s.Unlock()
		s.dirty++
	}()
}

// Twin: every return unlocks (deferred).
type store2 struct {
	sync.Mutex
	dirty int
}

func (s *store2) flush() {
	s.Lock()
	defer s.Unlock()
	if s.dirty == 0 {
		return
	}
	s.dirty = 0
}

func Flush2() {
	s := &store2{}
	s.flush()
	go func() {
		s.Lock()
		defer s.Unlock()
		s.dirty++
	}()
}

// Not syncleak's: a receive nothing sends to (recvleak) and a send nothing
// receives (sendleak).
func Channels() {
	in := make(chan int)
	go func() { <-in }()
	out := make(chan int)
	go func() { out <- 1 }()
}
