// Package recvleak defines an Analyzer that reports goroutines that block for ever on a receive.
//
// # Analyzer recvleak
//
// recvleak: report goroutines that block for ever on a receive
//
// A goroutine that receives from a channel (<-ch, v, ok := <-ch, for range
// ch, or a select none of whose cases can proceed) waits for ever when
// nothing will send to or close that channel. The analyzer reports such a
// receive when it can see every sender and closer of the channel:
//
//	ch := make(chan int)
//	go func() {
//		v := <-ch // goroutine blocks for ever receiving from ch: ...
//		use(v)
//	}()
//	if err != nil {
//		return err // ... returns here without sending to or closing ch
//	}
//	ch <- 1
//
// It also reports a range over a channel that nothing closes, receives
// from nil channels, from ctx.Done() of context.Background() or TODO(), and
// from an unexported struct field that nothing in the package sends to or
// closes, and selects none of whose cases can ever proceed.
//
// A channel that reaches code the analyzer cannot see (stored, returned,
// passed to an unknown function) is never reported.
package recvleak
