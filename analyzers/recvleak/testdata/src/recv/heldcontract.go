package recv

import "time"

// A session table keeps an expiry keeper in a field while it is enabled:
// enable starts the keeper's loop, and only disable stops it. A test that
// enables the table and never disables it leaks the keeper's goroutine.
type expiryKeeper struct {
	stopc chan struct{}
	donec chan struct{}
}

func (k *expiryKeeper) run() {
	tick := time.NewTicker(time.Second)
	defer func() {
		tick.Stop()
		close(k.donec)
	}()
	for {
		select {
		case <-tick.C:
		case <-k.stopc:
			return
		}
	}
}

func (k *expiryKeeper) stop() {
	select {
	case k.stopc <- struct{}{}:
	case <-k.donec:
	}
	<-k.donec
}

type sessionTable struct {
	keeper *expiryKeeper
}

func newSessionTable() *sessionTable { return &sessionTable{} }

func (t *sessionTable) enable() {
	t.keeper = &expiryKeeper{stopc: make(chan struct{}), donec: make(chan struct{})}
	go t.keeper.run()
}

func (t *sessionTable) disable() {
	k := t.keeper
	t.keeper = nil
	if k != nil {
		k.stop()
	}
}

func (t *sessionTable) assign(string) {}

func enablesTable() {
	t := newSessionTable()
	t.enable() // want `t.enable starts a goroutine that runs until t.disable is called, but enablesTable never calls it: the goroutine leaks when t is dropped`
	t.assign("a")
}

// Silent: the table is disabled.
func enablesAndDisables() {
	t := newSessionTable()
	t.enable()
	defer t.disable()
	t.assign("a")
}
