// Package hooks holds literals installed in a hook field that a
// goroutine's event loop calls once per event. Each must-flag case is
// followed by correct twins.
package hooks

import "time"

type job struct{ n int }

type worker struct {
	jobs    chan job
	quit    chan struct{}
	onJob   func(job) // called by loop for every job
	onStart func()    // called once by run, before its loop
}

func newWorker() *worker {
	w := &worker{jobs: make(chan job), quit: make(chan struct{})}
	go w.loop()
	return w
}

func (w *worker) loop() {
	if w.onStart != nil {
		w.onStart()
	}
	for {
		select {
		case j := <-w.jobs:
			if w.onJob != nil {
				w.onJob(j)
			}
		case <-w.quit:
			return
		}
	}
}

func (w *worker) stop() { close(w.quit) }

// countTwo installs a hook that reports every job, and waits for two: the
// third job blocks the worker's loop in the hook for ever, and stop cannot
// reach it.
func countTwo() {
	w := newWorker()
	defer w.stop()
	seen := make(chan int)
	w.onJob = func(j job) {
		seen <- j.n // want `goroutine blocks for ever sending on unbuffered channel seen in hook onJob: the goroutine running loop calls the hook on every turn of its loop, and countTwo receives from seen only 3 times`
	}
	for i := 0; i < 2; i++ {
		select {
		case <-seen:
		case <-time.After(time.Second):
		}
	}
	<-seen
}

// Twin: the hook's channel has room for the events it may still report.
func countTwoBuffered() {
	w := newWorker()
	defer w.stop()
	seen := make(chan int, 3)
	w.onJob = func(j job) {
		seen <- j.n
	}
	for i := 0; i < 2; i++ {
		<-seen
	}
}

// Twin: the hook gives up when nobody waits.
func countTwoSelect() {
	w := newWorker()
	defer w.stop()
	seen := make(chan int)
	done := make(chan struct{})
	defer close(done)
	w.onJob = func(j job) {
		select {
		case seen <- j.n:
		case <-done:
		}
	}
	<-seen
	<-seen
}

// Twin: the installer receives for as long as events come.
func drains() {
	w := newWorker()
	defer w.stop()
	seen := make(chan int)
	w.onJob = func(j job) {
		seen <- j.n
	}
	for n := range seen {
		if n < 0 {
			break
		}
	}
}

// Twin: the hook is cleared before the installer stops receiving.
func cleared() {
	w := newWorker()
	seen := make(chan int)
	w.onJob = func(j job) {
		seen <- j.n
	}
	<-seen
	w.onJob = nil
}

// Twin: a hook called once, before the loop, sends once.
func startedOnce() {
	w := newWorker()
	defer w.stop()
	started := make(chan struct{})
	w.onStart = func() {
		started <- struct{}{}
	}
	<-started
}

// expect receives through a local closure that countInClosure calls
// twice, two values a call: four in all, and the hook reports every job.
func countInClosure() {
	w := newWorker()
	defer w.stop()
	seen := make(chan int)
	w.onJob = func(j job) {
		seen <- j.n // want `goroutine blocks for ever sending on unbuffered channel seen in hook onJob: the goroutine running loop calls the hook on every turn of its loop, and countInClosure receives from seen only 4 times`
	}
	expect := func() {
		for i := 0; i < 2; i++ {
			<-seen
		}
	}
	expect()
	expect()
}

// Twin: the closure that receives is handed to another goroutine, which
// may call it any number of times.
func closureElsewhere() {
	w := newWorker()
	defer w.stop()
	seen := make(chan int)
	w.onJob = func(j job) {
		seen <- j.n
	}
	expect := func() {
		<-seen
	}
	go forever(expect)
	expect()
}

func forever(f func()) {
	for {
		f()
	}
}
