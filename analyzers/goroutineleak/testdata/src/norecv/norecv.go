// Package norecv is checked with -recv=false: the goroutines blocked on a
// WaitGroup, a Cond or a mutex are still reported (syncleak), each beside
// a released twin; the receive is not.
package norecv

import "sync"

func Receive() {
	ch := make(chan int)
	go func() { <-ch }() // recvleak is off
}

type tasks struct{ wg sync.WaitGroup }

func (t *tasks) start()   { t.wg.Add(1) }
func (t *tasks) finish()  { t.wg.Done() }
func (t *tasks) waitAll() { t.wg.Wait() }

type tasksNeverDone struct{ wg sync.WaitGroup }

func (t *tasksNeverDone) start() { t.wg.Add(1) }
func (t *tasksNeverDone) waitAll() {
	t.wg.Wait() // want `goroutine blocks for ever in t.wg.Wait\(\): nothing in package norecv calls t.wg.Done`
}

func WaitGroup() {
	t := &tasksNeverDone{}
	t.start()
	go t.waitAll()
}

// Twin: the task is done.
func WaitGroupDone() {
	t := &tasks{}
	t.start()
	go t.waitAll()
	t.finish()
}

type signal struct {
	c     *sync.Cond
	ready bool
}

func (s *signal) wait() {
	s.c.L.Lock()
	for !s.ready {
		s.c.Wait() // want `goroutine blocks for ever in s.c.Wait\(\): nothing in package norecv calls Signal or Broadcast on c`
	}
	s.c.L.Unlock()
}

func Cond() {
	s := &signal{c: sync.NewCond(&sync.Mutex{})}
	go s.wait()
}

type signal2 struct {
	c     *sync.Cond
	ready bool
}

func (s *signal2) wait() {
	s.c.L.Lock()
	for !s.ready {
		s.c.Wait()
	}
	s.c.L.Unlock()
}

func (s *signal2) set() {
	s.c.L.Lock()
	s.ready = true
	s.c.L.Unlock()
	s.c.Signal()
}

// Twin: set signals.
func CondSignalled() {
	s := &signal2{c: sync.NewCond(&sync.Mutex{})}
	go s.wait()
	s.set()
}

type counter struct {
	sync.Mutex
	n int
}

func (c *counter) reset() {
	c.Lock()
	if c.n == 0 {
		return
	}
	c.n = 0
	c.Unlock()
}

func Mutex() {
	c := &counter{}
	c.reset()
	go func() {
		c.Lock() // want `goroutine blocks for ever in c.Lock\(\): reset can return leaving that lock held, and then nothing unlocks it`
		c.n++
		c.Unlock()
	}()
}

type counter2 struct {
	sync.Mutex
	n int
}

func (c *counter2) reset() {
	c.Lock()
	defer c.Unlock()
	if c.n == 0 {
		return
	}
	c.n = 0
}

// Twin: reset always unlocks.
func MutexReleased() {
	c := &counter2{}
	c.reset()
	go func() {
		c.Lock()
		c.n++
		c.Unlock()
	}()
}
