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
	select {}
}

func flusher() {
	for {
		work()
	}
}

// Started from a function other than main: it may be called many times.
func startWorker() {
	go func() {
		for { // want `goroutine never finishes: this for loop has no condition`
			work()
		}
	}()
}
