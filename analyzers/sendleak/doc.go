// Package sendleak defines an Analyzer that reports goroutines that block for ever on a send.
//
// # Analyzer sendleak
//
// sendleak: report goroutines that block for ever on a send
//
// A goroutine that sends on a channel waits for ever once its reader has
// gone. The analyzer reports a send when the function that started the
// goroutine, and is its only reader, can return without receiving: an
// early return, or a select that takes a timeout or ctx.Done() case:
//
//	ch := make(chan result)
//	go func() { ch <- fetch() }() // goroutine blocks for ever sending on unbuffered channel ch: ...
//	select {
//	case r := <-ch:
//		return r, nil
//	case <-time.After(time.Second):
//		return result{}, errTimeout
//	}
//
// It also reports goroutines started in a loop that send on an unbuffered
// channel received only a fixed number of times, a goroutine that sends
// more values than are received, and a producer whose consumer can stop
// ranging early. A buffer large enough for every send that can be left
// pending makes a send safe, and a buffer whose size is only known at run
// time is assumed to be large enough.
package sendleak
