package recv

import "time"

// A stop channel that the package hands on only as a receive-only channel
// (an exported getter's <-chan result, a helper's <-chan parameter that a
// struct of another type keeps) still has only its own type's methods to
// close it: the code it reaches can wait on it, not close it. Create's
// goroutine runs until Shutdown.
type member struct {
	shutdownCh chan struct{}
	relay      *relay
}

// relay waits on the member's stop channel too, and only waits.
type relay struct {
	stop <-chan struct{}
}

func newRelay(stop <-chan struct{}) *relay {
	return &relay{stop: stop}
}

func createMember() (*member, error) {
	m := &member{shutdownCh: make(chan struct{})}
	m.relay = newRelay(m.shutdownCh)
	go m.reap()
	return m, nil
}

func (m *member) reap() {
	for {
		select {
		case <-time.After(time.Second):
		case <-m.shutdownCh:
			return
		}
	}
}

func (m *member) ShutdownCh() <-chan struct{} { return m.shutdownCh }

func (m *member) Shutdown() { close(m.shutdownCh) }

func (m *member) NumNodes() int { return 1 }

func forgetsMember() {
	m, err := createMember() // want `createMember starts a goroutine that runs until m.Shutdown is called, but forgetsMember never calls it: the goroutine leaks when m is dropped`
	if err != nil {
		return
	}
	_ = m.NumNodes()
}

// Silent: the member is shut down.
func shutsMember() {
	m, err := createMember()
	if err != nil {
		return
	}
	defer m.Shutdown()
	_ = m.NumNodes()
}

// A stop channel handed on as a bidirectional channel may be closed by
// whoever gets it: no contract, and no report.
type openMember struct {
	stop chan struct{}
}

func createOpenMember() *openMember {
	m := &openMember{stop: make(chan struct{})}
	go m.reap()
	return m
}

func (m *openMember) reap() {
	for {
		select {
		case <-time.After(time.Second):
		case <-m.stop:
			return
		}
	}
}

func (m *openMember) StopCh() chan struct{} { return m.stop }

func (m *openMember) Shutdown() { close(m.stop) }

func (m *openMember) NumNodes() int { return 1 }

func dropsOpenMember() {
	m := createOpenMember()
	_ = m.NumNodes()
}

// waitMembers only asks each member something: it borrows them.
func waitMembers(want int, ms ...*member) bool {
	for _, m := range ms {
		if m.NumNodes() != want {
			return false
		}
	}
	return true
}

// A test that shuts a member down and creates it again in the same
// variable owns the new member: the deferred Shutdown bound the old one.
func recreatesMember() {
	m, err := createMember()
	if err != nil {
		return
	}
	defer m.Shutdown()
	waitMembers(1, m)
	m.Shutdown()
	m, err = createMember() // want `createMember starts a goroutine that runs until m.Shutdown is called, but recreatesMember never calls it: the goroutine leaks when m is dropped`
	if err != nil {
		return
	}
	waitMembers(1, m)
}

// Silent: the new member is shut down too.
func recreatesAndShutsMember() {
	m, err := createMember()
	if err != nil {
		return
	}
	defer m.Shutdown()
	m.Shutdown()
	m, err = createMember()
	if err != nil {
		return
	}
	defer m.Shutdown()
	waitMembers(1, m)
}

// Silent: the deferred closure reads m when it runs, and shuts down the
// member m holds last.
func recreatesMemberClosure() {
	m, err := createMember()
	if err != nil {
		return
	}
	defer func() { m.Shutdown() }()
	m.Shutdown()
	m, err = createMember()
	if err != nil {
		return
	}
	waitMembers(1, m)
}

// Silent: in a loop, the Shutdown at the top of the next turn releases the
// member the last turn made.
func recreatesMemberInLoop(n int) {
	var m *member
	for i := 0; i < n; i++ {
		if m != nil {
			m.Shutdown()
		}
		m, _ = createMember()
	}
	if m != nil {
		m.Shutdown()
	}
}

// Silent: a test of createMember's validation wants only the error it
// expects, and a constructor that fails starts nothing.
func rejectsMember() error {
	_, err := createMember()
	return err
}
