// Package waitgroups holds goroutines held back by a WaitGroup.
package waitgroups

import "sync"

var pending sync.WaitGroup

func startJob(out chan<- int) {
	pending.Add(1)
	out <- 1
}

// Merge's closer waits on a WaitGroup that nothing in the package calls
// Done on: out is never closed, and the caller's range never ends.
func Merge() int {
	out := make(chan int, 10)
	for range 3 {
		startJob(out)
	}
	go func() {
		pending.Wait() // want `goroutine blocks for ever in pending.Wait\(\), so it never runs close\(out\): nothing in package waitgroups calls pending.Done`
		close(out)
	}()
	n := 0
	for v := range out {
		n += v
	}
	return n
}

// Twin: Done is called.
type merger struct {
	wg  sync.WaitGroup
	out chan int
}

func (m *merger) job() {
	defer m.wg.Done()
	m.out <- 1
}

func Merge2() int {
	m := &merger{out: make(chan int)}
	for range 3 {
		m.wg.Add(1)
		go m.job()
	}
	go func() {
		m.wg.Wait()
		close(m.out)
	}()
	n := 0
	for v := range m.out {
		n += v
	}
	return n
}

// Field form: the Add has no Done.
type batch struct {
	wg  sync.WaitGroup
	out chan int
}

func (b *batch) add(v int) {
	b.wg.Add(1)
	b.out <- v
}

func Batch() []int {
	b := &batch{out: make(chan int, 8)}
	b.add(1)
	go func() {
		b.wg.Wait() // want `goroutine blocks for ever in b.wg.Wait\(\), so it never runs close\(b.out\)`
		close(b.out)
	}()
	var got []int
	for v := range b.out {
		got = append(got, v)
	}
	return got
}

// Twin: the WaitGroup is passed on; its Done may be elsewhere.
func helper(wg *sync.WaitGroup) { wg.Done() }

func Passed() {
	var wg sync.WaitGroup
	out := make(chan int, 1)
	wg.Add(1)
	go helper(&wg)
	go func() {
		wg.Wait()
		close(out)
	}()
	for range out {
	}
}

// Twin: Add with a variable may be negative.
func Variable(n int) {
	var wg sync.WaitGroup
	out := make(chan int, 1)
	wg.Add(n)
	wg.Add(-n)
	go func() {
		wg.Wait()
		close(out)
	}()
	for range out {
	}
}

// Twin: wg.Go does Done.
func WithGo() {
	var wg sync.WaitGroup
	out := make(chan int, 4)
	wg.Go(func() { out <- 1 })
	go func() {
		wg.Wait()
		close(out)
	}()
	for range out {
	}
}

// A Wait in a callee, with no close after it: the goroutine never ends,
// and the parent's receive waits for ever too.
type stopper struct {
	drain sync.WaitGroup
}

func (s *stopper) startTask() { s.drain.Add(1) }

func (s *stopper) quiesce() {
	s.drain.Wait() // want `goroutine blocks for ever in s.drain.Wait\(\): nothing in package waitgroups calls s.drain.Done`
}

func Quiesce() {
	s := &stopper{}
	s.startTask()
	done := make(chan struct{})
	go func() {
		s.quiesce()
		close(done)
	}()
	<-done
}
