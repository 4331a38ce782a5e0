// Command command holds exported fields and getters of a package main:
// nothing imports a command, so they are as private as unexported ones.
package main

type Stopper struct{ Quiesce chan struct{} }

func (s *Stopper) ShouldQuiesce() <-chan struct{} { return s.Quiesce }

func main() {
	s := &Stopper{Quiesce: make(chan struct{})}
	go func() {
		<-s.ShouldQuiesce() // want `goroutine blocks for ever receiving from s.ShouldQuiesce\(\): nothing in package main sends to or closes field Quiesce`
	}()
	work()
}

func work() {}
