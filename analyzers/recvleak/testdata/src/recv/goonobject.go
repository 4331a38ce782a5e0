package recv

// A replica's loop runs until Stop hands it a stop signal. Code that makes
// a replica and runs its loop itself is bound to stop it, as a
// constructor's caller would be.
type replica struct {
	proposals chan string
	stop      chan struct{}
	done      chan struct{}
	log       []string
}

func newReplica() replica {
	return replica{proposals: make(chan string), stop: make(chan struct{}), done: make(chan struct{})}
}

func (r *replica) run() {
	for {
		select {
		case p := <-r.proposals:
			r.log = append(r.log, p)
		case <-r.stop:
			close(r.done)
			return
		}
	}
}

func (r *replica) Propose(p string) {
	select {
	case r.proposals <- p:
	case <-r.done:
	}
}

func (r *replica) Stop() {
	select {
	case r.stop <- struct{}{}:
	case <-r.done:
		return
	}
	<-r.done
}

func proposesOnce() {
	r := newReplica()
	go r.run() // want `r.run starts a goroutine that runs until r.Stop is called, but proposesOnce never calls it: the goroutine leaks when r is dropped`
	r.Propose("a")
}

// Silent: the replica is stopped.
func proposesAndStops() {
	r := newReplica()
	go r.run()
	r.Propose("a")
	r.Stop()
}

// Silent: the replica is handed to the caller, who owns it.
func startReplica() *replica {
	r := newReplica()
	go r.run()
	return &r
}

// proposeVia only borrows the replica: it neither keeps it nor stops it.
func proposeVia(r *replica, p string) { r.Propose(p) }

// stopVia stops it.
func stopVia(r *replica) { r.Stop() }

func proposesThroughHelper() {
	r := newReplica()
	go r.run() // want `r.run starts a goroutine that runs until r.Stop is called, but proposesThroughHelper never calls it`
	proposeVia(&r, "a")
}

// Silent: the helper stops the replica.
func stopsThroughHelper() {
	r := newReplica()
	go r.run()
	proposeVia(&r, "a")
	stopVia(&r)
}

// runningReplica hands out a replica whose loop already runs.
func runningReplica() *replica {
	r := newReplica()
	go r.run()
	return &r
}

// awaitDone waits until the loop has stopped.
func (r *replica) awaitDone() { <-r.done }

// Silent: the replica comes running from a helper, whose goroutines are
// not this function's to account for.
func waitsOnRunningReplica() {
	r := runningReplica()
	go r.awaitDone()
	r.Stop()
}
