// Package locks holds channel operations coupled to a mutex: a goroutine
// that waits on a channel while holding a lock its partner must hold to
// reach the other end.
package locks

import (
	"runtime"
	"sync"
)

// The grpc-go #1460 shape: keepalive waits holding mu; the only send is
// made holding mu, so it can never meet the receive.
type client struct {
	mu      sync.Mutex
	awaken  chan struct{}
	streams int
}

func (c *client) keepalive() {
	c.mu.Lock()
	if c.streams < 1 {
		<-c.awaken // want `goroutine blocks for ever receiving from c.awaken while holding c.mu: every send on field awaken in package locks is made holding the same lock, so none can happen while it waits`
		runtime.Gosched()
		c.mu.Unlock()
	} else {
		c.mu.Unlock()
	}
}

func (c *client) newStream() {
	c.mu.Lock()
	c.streams++
	if c.streams == 1 {
		select {
		case c.awaken <- struct{}{}:
		default:
		}
	}
	c.mu.Unlock()
}

func StartClient() {
	c := &client{awaken: make(chan struct{})}
	go c.keepalive()
	go c.newStream()
}

// Twin: the receive waits before taking the lock.
type client2 struct {
	mu      sync.Mutex
	awaken  chan struct{}
	streams int
}

func (c *client2) keepalive() {
	<-c.awaken
	c.mu.Lock()
	c.streams--
	c.mu.Unlock()
}

func (c *client2) newStream() {
	c.mu.Lock()
	c.streams++
	c.mu.Unlock()
	c.awaken <- struct{}{}
}

func StartClient2() {
	c := &client2{awaken: make(chan struct{})}
	go c.keepalive()
	go c.newStream()
}

// Twin: the lock is released before the wait.
type flusher struct {
	mu      sync.Mutex
	items   []int
	flushed chan struct{}
}

func (f *flusher) run() {
	f.mu.Lock()
	f.items = nil
	f.flushed <- struct{}{}
	f.mu.Unlock()
}

func (f *flusher) Reset() {
	f.mu.Lock()
	f.items = f.items[:0]
	f.mu.Unlock()
	<-f.flushed
}

func StartFlusher() *flusher {
	f := &flusher{flushed: make(chan struct{})}
	go f.run()
	return f
}

// The sketch: Reset waits on flushed holding mu; the goroutine
// sends holding mu. The send in run is reported too: Reset receives
// holding mu as well.
type cache struct {
	mu      sync.Mutex
	items   []int
	flushed chan struct{}
}

func (c *cache) flusher() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items = nil
	c.flushed <- struct{}{} // want `goroutine blocks for ever sending on c.flushed while holding c.mu: every receive from field flushed in package locks is made holding the same lock`
}

func (c *cache) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	<-c.flushed
}

func StartCache() *cache {
	c := &cache{flushed: make(chan struct{})}
	go c.flusher()
	return c
}

// Twin: a read lock on both sides does not exclude.
type shared struct {
	mu    sync.RWMutex
	ready chan int
}

func (s *shared) produce() {
	s.mu.RLock()
	defer s.mu.RUnlock()
	s.ready <- 1
}

func (s *shared) Consume() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return <-s.ready
}

func StartShared() *shared {
	s := &shared{ready: make(chan int)}
	go s.produce()
	return s
}

// Twin: a read lock against a write lock excludes; reported.
type sharedW struct {
	mu    sync.RWMutex
	ready chan int
}

func (s *sharedW) produce() {
	s.mu.RLock()
	defer s.mu.RUnlock()
	s.ready <- 1 // want `goroutine blocks for ever sending on s.ready while holding s.mu: every receive from field ready`
}

func (s *sharedW) Consume() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return <-s.ready
}

func StartSharedW() *sharedW {
	s := &sharedW{ready: make(chan int)}
	go s.produce()
	return s
}

// Twin: the partner is under the lock on only one path.
type partial struct {
	mu    sync.Mutex
	ready chan int
	fast  bool
}

func (p *partial) produce() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ready <- 1
}

func (p *partial) Consume() int {
	if !p.fast {
		p.mu.Lock()
		defer p.mu.Unlock()
	}
	return <-p.ready
}

func StartPartial() *partial {
	p := &partial{ready: make(chan int)}
	go p.produce()
	return p
}

// A helper of the package unlocks between the lock and the send: the
// send is not made holding the lock, but it is made after taking it, which
// is a lock order of its own.
type helper struct {
	mu    sync.Mutex
	ready chan int
}

func (h *helper) unlock() { h.mu.Unlock() }

func (h *helper) produce() {
	h.mu.Lock()
	h.unlock()
	h.ready <- 1
}

func (h *helper) Consume() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return <-h.ready // want `Consume can block for ever receiving from h.ready while holding h.mu`
}

func StartHelper() *helper {
	h := &helper{ready: make(chan int)}
	go h.produce()
	return h
}

// Twin: the receive is also closed; a close made before the lock was
// taken lets it through.
type closer struct {
	mu   sync.Mutex
	done chan struct{}
}

func (c *closer) wait() {
	c.mu.Lock()
	defer c.mu.Unlock()
	<-c.done
}

func (c *closer) Finish() {
	c.mu.Lock()
	close(c.done)
	c.mu.Unlock()
}

func StartCloser() *closer {
	c := &closer{done: make(chan struct{})}
	go c.wait()
	return c
}

// Twin: a buffered channel lets the send complete under the lock.
type buffered struct {
	mu    sync.Mutex
	ready chan int
}

func (b *buffered) produce() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ready <- 1
}

func (b *buffered) Consume() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return <-b.ready
}

func StartBuffered() *buffered {
	b := &buffered{ready: make(chan int, 1)}
	go b.produce()
	return b
}

// Twin: an embedded mutex of another object guards the partner.
type other struct {
	sync.Mutex
}

type split struct {
	sync.Mutex
	peer  *other
	ready chan int
}

func (s *split) produce() {
	s.Lock()
	defer s.Unlock()
	s.ready <- 1
}

func (s *split) Consume() int {
	s.Lock()
	defer s.Unlock()
	return <-s.ready
}

func (s *split) ConsumePeer() int {
	s.peer.Lock()
	defer s.peer.Unlock()
	return <-s.ready
}

func StartSplit() *split {
	s := &split{ready: make(chan int), peer: &other{}}
	go s.produce()
	return s
}

// The sketch: the flusher takes mu before it closes flushed, and
// Reset waits for the close holding mu.
type flushCache struct {
	mu      sync.Mutex
	items   []int
	flushed chan struct{}
}

func (c *flushCache) flusher() {
	c.mu.Lock()
	c.items = nil
	c.mu.Unlock()
	close(c.flushed)
}

func (c *flushCache) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	<-c.flushed // want `Reset can block for ever receiving from c.flushed while holding c.mu: the one goroutine that can end the wait takes that lock first, so if Reset gets it first, neither moves again`
}

func StartFlushCache() *flushCache {
	c := &flushCache{flushed: make(chan struct{})}
	go c.flusher()
	return c
}

// Twin: Reset waits before it takes the lock.
type flushCache2 struct {
	mu      sync.Mutex
	items   []int
	flushed chan struct{}
}

func (c *flushCache2) flusher() {
	c.mu.Lock()
	c.items = nil
	c.mu.Unlock()
	close(c.flushed)
}

func (c *flushCache2) Reset() {
	<-c.flushed
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items = c.items[:0]
}

func StartFlushCache2() *flushCache2 {
	c := &flushCache2{flushed: make(chan struct{})}
	go c.flusher()
	return c
}

// Twin: the flusher takes the lock on one path only.
type flushCache3 struct {
	mu      sync.Mutex
	items   []int
	flushed chan struct{}
}

func (c *flushCache3) flusher(clear bool) {
	if clear {
		c.mu.Lock()
		c.items = nil
		c.mu.Unlock()
	}
	close(c.flushed)
}

func (c *flushCache3) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	<-c.flushed
}

func StartFlushCache3(clear bool) *flushCache3 {
	c := &flushCache3{flushed: make(chan struct{})}
	go c.flusher(clear)
	return c
}

// Twin: another goroutine can close flushed too.
type flushCache4 struct {
	mu      sync.Mutex
	items   []int
	flushed chan struct{}
}

func (c *flushCache4) flusher() {
	c.mu.Lock()
	c.items = nil
	c.mu.Unlock()
	close(c.flushed)
}

func (c *flushCache4) Abort() { close(c.flushed) }

func (c *flushCache4) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	<-c.flushed
}

func StartFlushCache4() *flushCache4 {
	c := &flushCache4{flushed: make(chan struct{})}
	go c.flusher()
	return c
}

// A callback waits holding a local mutex that its function takes before
// the only receive (the istio #16224 shape).
type registry struct{ handlers []func() }

func (r *registry) add(h func()) { r.handlers = append(r.handlers, h) }

func (r *registry) run() {
	for _, h := range r.handlers {
		h()
	}
}

func Handshake(reg *registry) {
	done := make(chan bool)
	var mu sync.Mutex
	reg.add(func() {
		mu.Lock()
		defer mu.Unlock()
		done <- true // want `this function literal can block for ever sending on unbuffered channel done while holding mu: the one goroutine that can end the wait takes that lock first, so if this function literal gets it first, neither moves again`
	})
	go reg.run()
	mu.Lock()
	mu.Unlock()
	<-done
}

// Twin: the function receives before it takes the mutex.
func Handshake2(reg *registry) {
	done := make(chan bool)
	var mu sync.Mutex
	reg.add(func() {
		mu.Lock()
		defer mu.Unlock()
		done <- true
	})
	go reg.run()
	<-done
	mu.Lock()
	mu.Unlock()
}

// A method that returns early still holding its lock (the moby #17176
// shape): the goroutine's Lock after it blocks for ever.
type deviceSet struct {
	sync.Mutex
	deleted int
}

func (d *deviceSet) cleanup() error {
	d.Lock()
	if d.deleted == 0 {
		return nil
	}
	d.Unlock()
	return nil
}

func Release() {
	ds := &deviceSet{}
	ds.cleanup()
	done := make(chan bool, 1)
	go func() {
		ds.Lock() // want `goroutine blocks for ever in ds.Lock\(\): cleanup can return leaving that lock held, and then nothing unlocks it`
		defer ds.Unlock()
		done <- true
	}()
}

// Twin: every return releases the lock (deferred).
type deviceSet2 struct {
	sync.Mutex
	deleted int
}

func (d *deviceSet2) cleanup() error {
	d.Lock()
	defer d.Unlock()
	if d.deleted == 0 {
		return nil
	}
	return nil
}

func Release2() {
	ds := &deviceSet2{}
	ds.cleanup()
	go func() {
		ds.Lock()
		defer ds.Unlock()
	}()
}

// Twin: a method meant to return holding the lock (every path does).
type deviceSet3 struct {
	sync.Mutex
}

func (d *deviceSet3) lock() { d.Lock() }

func Release3() {
	ds := &deviceSet3{}
	ds.lock()
	ds.Unlock()
	go func() {
		ds.Lock()
		defer ds.Unlock()
	}()
}

// The early return is the one that unlocks; the end of the body leaves
// the lock held.
type deviceSet4 struct {
	sync.Mutex
	deleted int
}

func (d *deviceSet4) cleanup() {
	d.Lock()
	if d.deleted == 0 {
		d.Unlock()
		return
	}
	d.deleted--
}

func Release4() {
	ds := &deviceSet4{}
	ds.cleanup()
	go func() {
		ds.Lock() // want `goroutine blocks for ever in ds.Lock\(\): cleanup can return leaving that lock held`
		defer ds.Unlock()
	}()
}
