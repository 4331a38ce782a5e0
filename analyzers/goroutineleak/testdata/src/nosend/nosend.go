// Package nosend is checked with -send=false: only the receive and the
// loop are reported.
package nosend

func Leaks() {
	ch := make(chan int)
	go func() {
		<-ch // want `goroutine blocks for ever receiving from ch`
	}()
	out := make(chan int)
	go func() { out <- 1 }() // sendleak is off
	go func() {
		for { // want `goroutine never finishes`
		}
	}()
}
