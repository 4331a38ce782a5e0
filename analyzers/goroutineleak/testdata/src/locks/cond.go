package locks

import "sync"

// The moby #30408 shape: nothing signals the Cond, so waitActive never
// returns and the parent's receive never comes either.
type plugin struct {
	activateWait *sync.Cond
	manifest     *int
}

func (p *plugin) waitActive() {
	p.activateWait.L.Lock()
	for p.manifest == nil {
		p.activateWait.Wait() // want `goroutine blocks for ever in p.activateWait.Wait\(\): nothing in package locks calls Signal or Broadcast on activateWait`
	}
	p.activateWait.L.Unlock()
}

func TestActive() {
	p := &plugin{activateWait: sync.NewCond(&sync.Mutex{})}
	done := make(chan struct{})
	go func() {
		p.waitActive()
		close(done)
	}()
	<-done
}

// Twin: activate broadcasts.
type plugin2 struct {
	activateWait *sync.Cond
	manifest     *int
}

func (p *plugin2) waitActive() {
	p.activateWait.L.Lock()
	for p.manifest == nil {
		p.activateWait.Wait()
	}
	p.activateWait.L.Unlock()
}

func (p *plugin2) activate(m *int) {
	p.activateWait.L.Lock()
	p.manifest = m
	p.activateWait.L.Unlock()
	p.activateWait.Broadcast()
}

func TestActive2() {
	p := &plugin2{activateWait: sync.NewCond(&sync.Mutex{})}
	done := make(chan struct{})
	go func() {
		p.waitActive()
		close(done)
	}()
	p.activate(new(int))
	<-done
}

// Twin: the Cond is passed on, and may be signalled elsewhere.
func signalLater(c *sync.Cond) { c.Signal() }

func Passed() {
	c := sync.NewCond(&sync.Mutex{})
	go func() {
		c.L.Lock()
		c.Wait()
		c.L.Unlock()
	}()
	signalLater(c)
}
