// Package suppress checks the //goroutineleak:ignore directive: every leak
// here is silenced, on its line, above it, at its go statement, or for a
// whole function.
package suppress

func OnTheLine() {
	ch := make(chan int)
	go func() {
		<-ch //goroutineleak:ignore the harness closes ch when the process ends
	}()
}

func Above() {
	ch := make(chan int)
	go func() {
		//goroutineleak:ignore sent to by a signal handler installed elsewhere
		<-ch
	}()
}

func AtTheGoStatement() {
	//goroutineleak:ignore a process-wide spinner, started once
	go func() {
		for {
		}
	}()
}

// Legacy leaks; tracked for a rewrite.
//
//goroutineleak:ignore legacy code, replaced in the next release
func Legacy() {
	out := make(chan int)
	go func() { out <- 1 }()
}

func NotSilenced() {
	ch := make(chan int)
	go func() {
		<-ch // want `goroutine blocks for ever receiving from ch`
	}()
}
