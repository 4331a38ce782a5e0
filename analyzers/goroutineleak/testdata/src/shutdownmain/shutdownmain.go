// Command shutdownmain holds stranded sends in functions that return a
// value (etcd #6857): the fix returns zero values once the receiver has
// stopped, only where no caller can see what the function returns.
package main

type Status struct{ ID int }

// The etcd #6857 kernel: Stop sends on stop, and run closes done as it
// returns. Status is only ever started as a goroutine, and no Node becomes
// an interface: the fix selects on done and returns Status{}.
type Node struct {
	status chan chan Status
	stop   chan struct{}
	done   chan struct{}
}

func NewNode() *Node {
	return &Node{status: make(chan chan Status), stop: make(chan struct{}), done: make(chan struct{})}
}

func (n *Node) run() {
	for {
		select {
		case c := <-n.status:
			c <- Status{}
		case <-n.stop:
			close(n.done)
			return
		}
	}
}

func (n *Node) Status() Status {
	c := make(chan Status)
	n.status <- c // want `Status blocks for ever sending on unbuffered channel n.status once Stop has been called`
	return <-c
}

func (n *Node) Stop() {
	select {
	case n.stop <- struct{}{}:
	case <-n.done:
		return
	}
	<-n.done
}

// Twin: a caller reads the Status, so a zero one would be seen: no fix.
type Node2 struct {
	status chan chan Status
	stop   chan struct{}
	done   chan struct{}
}

func NewNode2() *Node2 {
	return &Node2{status: make(chan chan Status), stop: make(chan struct{}), done: make(chan struct{})}
}

func (n *Node2) run() {
	for {
		select {
		case c := <-n.status:
			c <- Status{}
		case <-n.stop:
			close(n.done)
			return
		}
	}
}

func (n *Node2) Status() Status {
	c := make(chan Status)
	n.status <- c // want `Status blocks for ever sending on unbuffered channel n.status once Stop has been called`
	return <-c
}

func (n *Node2) Stop() {
	select {
	case n.stop <- struct{}{}:
	case <-n.done:
		return
	}
	<-n.done
}

// Twin: a Node3 becomes an interface, and reflection (text/template)
// calls exported methods: no fix.
type Node3 struct {
	status chan chan Status
	stop   chan struct{}
	done   chan struct{}
}

func NewNode3() *Node3 {
	return &Node3{status: make(chan chan Status), stop: make(chan struct{}), done: make(chan struct{})}
}

func (n *Node3) run() {
	for {
		select {
		case c := <-n.status:
			c <- Status{}
		case <-n.stop:
			close(n.done)
			return
		}
	}
}

func (n *Node3) Status() Status {
	c := make(chan Status)
	n.status <- c // want `Status blocks for ever sending on unbuffered channel n.status once Stop has been called`
	return <-c
}

func (n *Node3) Stop() {
	select {
	case n.stop <- struct{}{}:
	case <-n.done:
		return
	}
	<-n.done
}

// Twin: done is also closed outside the loop, before it has stopped: a
// case on it could win over a send the loop would take. No fix.
type Node4 struct {
	status chan chan Status
	stop   chan struct{}
	done   chan struct{}
}

func NewNode4() *Node4 {
	return &Node4{status: make(chan chan Status), stop: make(chan struct{}), done: make(chan struct{})}
}

func (n *Node4) run() {
	for {
		select {
		case c := <-n.status:
			c <- Status{}
		case <-n.stop:
			close(n.done)
			return
		}
	}
}

func (n *Node4) Status() Status {
	c := make(chan Status)
	n.status <- c // want `Status blocks for ever sending on unbuffered channel n.status once Stop has been called`
	return <-c
}

func (n *Node4) Stop() {
	select {
	case n.stop <- struct{}{}:
	case <-n.done:
		return
	}
	<-n.done
}

func (n *Node4) Abort() { close(n.done) }

// Twin: the result is named, so a deferred function could read it: no fix.
type Node5 struct {
	status chan chan Status
	stop   chan struct{}
	done   chan struct{}
}

func NewNode5() *Node5 {
	return &Node5{status: make(chan chan Status), stop: make(chan struct{}), done: make(chan struct{})}
}

func (n *Node5) run() {
	for {
		select {
		case c := <-n.status:
			c <- Status{}
		case <-n.stop:
			close(n.done)
			return
		}
	}
}

func (n *Node5) Status() (s Status) {
	defer func() { println(s.ID) }()
	c := make(chan Status)
	n.status <- c // want `Status blocks for ever sending on unbuffered channel n.status once Stop has been called`
	return <-c
}

func (n *Node5) Stop() {
	select {
	case n.stop <- struct{}{}:
	case <-n.done:
		return
	}
	<-n.done
}

func main() {
	n := NewNode()
	go n.run()
	go n.Status()
	go n.Stop()

	n2 := NewNode2()
	go n2.run()
	go func() { println(n2.Status().ID) }()
	go n2.Stop()

	n3 := NewNode3()
	go n3.run()
	go n3.Status()
	go n3.Stop()
	var x any = n3
	_ = x

	n4 := NewNode4()
	go n4.run()
	go n4.Status()
	go n4.Stop()
	go n4.Abort()

	n5 := NewNode5()
	go n5.run()
	go n5.Status()
	go n5.Stop()
}
