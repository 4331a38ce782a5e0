// Command daemon starts goroutines from main: they live as long as the
// process, so endless loops in them are not reported.
package main

import "time"

func work() {}

func main() {
	go func() {
		for range time.Tick(time.Second) {
			work()
		}
	}()
	go flusher()
	startWorker()
	serve(3)
	select {}
}

func flusher() {
	for {
		work()
	}
}

// Called once, from main: a process-lifetime goroutine too.
func startWorker() {
	go func() {
		for {
			work()
		}
	}()
}

// run is called once, from main: its goroutines live as long as the process.
func run() {
	go func() {
		for {
			work()
		}
	}()
}

func init() {
	run()
}

// Called in a loop: a goroutine per iteration.
func perRequest() {
	go func() {
		for { // want `goroutine never finishes`
			work()
		}
	}()
}

func serve(n int) {
	for range n {
		perRequest()
	}
}
