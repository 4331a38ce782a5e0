package recv

import "transport"

// A node whose Shutdown first shuts its transport down, and returns on its
// error before it closes the stop channel. Transport.Shutdown never
// returns an error (it returns nil on every path), so the return never
// happens: silent.
type gossipNode struct {
	shutdownCh chan struct{}
	transport  *transport.Transport
}

func newGossipNode() *gossipNode {
	n := &gossipNode{shutdownCh: make(chan struct{}), transport: &transport.Transport{}}
	go n.probe()
	return n
}

func (n *gossipNode) probe() {
	for {
		select {
		case <-n.shutdownCh:
			return
		}
	}
}

func (n *gossipNode) Shutdown() error {
	err := n.transport.Shutdown()
	if err != nil {
		return err
	}
	close(n.shutdownCh)
	return nil
}

// The same node over a Stop that may fail: reported.
type stoppingNode struct {
	shutdownCh chan struct{}
	transport  *transport.Transport
}

func newStoppingNode() *stoppingNode {
	n := &stoppingNode{shutdownCh: make(chan struct{}), transport: &transport.Transport{}}
	go n.probe()
	return n
}

func (n *stoppingNode) probe() {
	for {
		select {
		case <-n.shutdownCh:
			return
		}
	}
}

func (n *stoppingNode) Shutdown() error {
	if err := n.transport.Stop(); err != nil {
		return err // want `Shutdown returns on this error before it releases the goroutine that newStoppingNode starts: a caller calls Shutdown once, and the goroutine leaks when the error happens`
	}
	close(n.shutdownCh)
	return nil
}
