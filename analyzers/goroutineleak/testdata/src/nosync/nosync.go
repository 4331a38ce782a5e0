// Package nosync is checked with -sync=false: the goroutines blocked on a
// WaitGroup, a Cond or a mutex are not reported; the receive, which
// -sync=false leaves on, is, beside its twin.
package nosync

import "sync"

func Receive() {
	ch := make(chan int)
	go func() {
		<-ch // want `goroutine blocks for ever receiving from ch: nothing sends to or closes ch`
	}()
}

// Twin: something sends.
func ReceiveSent() {
	ch := make(chan int)
	go func() { <-ch }()
	ch <- 1
}

type tasks struct{ wg sync.WaitGroup }

func (t *tasks) start()   { t.wg.Add(1) }
func (t *tasks) waitAll() { t.wg.Wait() } // syncleak is off

func WaitGroup() {
	t := &tasks{}
	t.start()
	go t.waitAll()
}

type signal struct {
	c     *sync.Cond
	ready bool
}

func (s *signal) wait() {
	s.c.L.Lock()
	for !s.ready {
		s.c.Wait() // syncleak is off
	}
	s.c.L.Unlock()
}

func Cond() {
	s := &signal{c: sync.NewCond(&sync.Mutex{})}
	go s.wait()
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
		c.Lock() // syncleak is off
		c.n++
		c.Unlock()
	}()
}
