// Package user starts goroutines that run package lib's code.
package user

import (
	"context"

	"lib"
)

func StartLoop() {
	go lib.Loop() // want `goroutine never finishes: lib.Loop loops for ever`
}

func StartIgnoring(ctx context.Context) {
	go lib.LoopIgnoringContext(ctx) // want `goroutine never finishes: lib.LoopIgnoringContext loops for ever and ignores its context`
}

func StartPoll(ctx context.Context) {
	go lib.Poll(ctx)
}

func FeedNeverClosed(xs []int) {
	ch := make(chan int)
	go lib.Consume(ch) // want `goroutine blocks for ever in Consume, ranging over ch: nothing closes ch, so the loop never ends`
	for _, x := range xs {
		ch <- x
	}
}

func FeedClosed(xs []int) {
	ch := make(chan int)
	go lib.Consume(ch)
	for _, x := range xs {
		ch <- x
	}
	close(ch)
}

func FeedRegistered() {
	ch := make(chan int)
	lib.Register(ch)
	go lib.Consume(ch)
}

func ProduceAll(n int) int {
	ch := make(chan int)
	go lib.Produce(ch, n)
	sum := 0
	for v := range ch {
		sum += v
	}
	return sum
}

func ProduceNoReader(n int) {
	ch := make(chan int)
	go lib.Produce(ch, n) // want `goroutine blocks for ever in Produce, sending on unbuffered channel ch: nothing receives from ch`
}

func StartUntilFatal(ok func() bool) {
	go func() {
		for {
			if !ok() {
				lib.Fatalf("stopped")
			}
		}
	}()
}

func UseWorkerAndForget() {
	w := lib.NewWorker() // want `NewWorker starts a goroutine that runs until w.Stop is called, but UseWorkerAndForget never calls it: the goroutine leaks when w is dropped`
	w.Submit(func() {})
}

func UseWorker() {
	w := lib.NewWorker()
	defer w.Stop()
	w.Submit(func() {})
}

func UseWorkerLater(cleanup func(func())) {
	w := lib.NewWorker()
	cleanup(func() { w.Stop() })
}

func KeepWorker() *lib.Worker {
	w := lib.NewWorker()
	w.Submit(func() {})
	return w
}

type holder struct{ w *lib.Worker }

func StoreWorker(h *holder) {
	w := lib.NewWorker()
	h.w = w
}

func DiscardWorker() {
	lib.NewWorker() // want `NewWorker starts a goroutine that runs until Stop is called on its result, which is discarded: the goroutine leaks`
}

func PollAndForget() {
	var p lib.Poller
	p.Start() // want `p.Start starts a goroutine that runs until p.Close is called, but PollAndForget never calls it: the goroutine leaks when p is dropped`
}

func PollAndClose() {
	var p lib.Poller
	p.Start()
	p.Close()
}

func TickerNeedsNoStop() {
	t := lib.NewTicker(3)
	_ = t
}

func ServeUntilError(accept func() error) {
	p := lib.Proxy{}
	p.Run()
}

func PollFromConstructor() {
	p := lib.NewPoller()
	p.Start() // want `p.Start starts a goroutine that runs until p.Close is called`
}

// newClosedPoller is a helper that arranges the release itself, as test
// helpers do with t.Cleanup.
func newClosedPoller(cleanup func(func())) *lib.Poller {
	p := lib.NewPoller()
	cleanup(func() { p.Close() })
	return p
}

func PollFromHelper(cleanup func(func())) {
	p := newClosedPoller(cleanup)
	p.Start()
}

func GateRun() {
	g := lib.NewGate()
	go g.Run()
	g.Update()
}

func GateNeverRun() {
	g := lib.NewGate()
	g.Update() // want `g.Update starts a goroutine that runs until g.Run is called`
}

// The release is arranged two calls down.
func newPollerForTest(cleanup func(func())) *lib.Poller {
	return newClosedPoller(cleanup)
}

func PollFromNestedHelper(cleanup func(func())) {
	p := newPollerForTest(cleanup)
	p.Start()
}

func FlushMaybe() {
	f := lib.NewFlusher(false)
	f.Init()
}

// Facts carry a callee's send count across packages.
func announced(v bool) string {
	m := make(chan string)
	go lib.Announce(m, v) // want `goroutine blocks for ever in Announce, sending on unbuffered channel m: it sends twice but announced receives only once`
	return <-m
}

func announcedTwice() (string, string) {
	m := make(chan string)
	go lib.Announce(m, true)
	return <-m, <-m
}

// A caller that stops ranging over a generator's channel leaves its
// goroutine blocked on the next send.
func firstEven(n int) int {
	for v := range lib.Count(n) { // want `goroutine started by Count blocks for ever sending on the channel it returns once firstEven stops ranging over it`
		if v%2 == 0 {
			return v
		}
	}
	return -1
}

// Twin: a caller that drains it.
func sumAll(n int) int {
	total := 0
	for v := range lib.Count(n) {
		total += v
	}
	return total
}

// panics stands for testify's assert.Panics: it runs f and expects a panic.
func panics(f func()) bool { return true }

// Panics is named as testify names it; the rule knows the name.
func Panics(f func()) bool { return panics(f) }

// AssertNewWorkerPanics discards NewWorker's result inside a function that
// the test asserts to panic: had it returned, the worker would leak, but
// the assertion says it does not return.
func AssertNewWorkerPanics() {
	Panics(func() { lib.NewWorker() })
}

// DiscardWorkerInClosure drops the worker in a plain closure: it leaks.
func DiscardWorkerInClosure() {
	run(func() {
		lib.NewWorker() // want `NewWorker starts a goroutine that runs until Stop is called on its result, which is discarded: the goroutine leaks`
	})
}

func run(f func()) { f() }

// Goroutines started through lib's wrappers: lib.SafeGo starts its first
// argument, and go lib.Recovered(f) runs f as the goroutine.
func WaitFirstResult(stop chan struct{}, work func() error) error {
	errc := make(chan error)
	lib.SafeGo(func() {
		errc <- work() // want `goroutine blocks for ever sending on unbuffered channel errc: WaitFirstResult can return through the stop case without receiving from errc`
	}, nil)
	select {
	case err := <-errc:
		return err
	case <-stop:
		return nil
	}
}

// Twin: a buffer holds the one result nobody takes.
func WaitFirstResultBuffered(stop chan struct{}, work func() error) error {
	errc := make(chan error, 1)
	lib.SafeGo(func() {
		errc <- work()
	}, nil)
	select {
	case err := <-errc:
		return err
	case <-stop:
		return nil
	}
}

func SpinRecovered() {
	go lib.Recovered(func() {
		for { // want `goroutine never finishes: this for loop has no condition and nothing in it returns, breaks out or calls panic`
		}
	})
}

// Twin: the loop ends when stop is closed.
func SpinRecoveredUntil(stop chan struct{}, tick func()) {
	go lib.Recovered(func() {
		for {
			select {
			case <-stop:
				return
			default:
				tick()
			}
		}
	})
}

// Twin: lib.Retry runs its argument in the caller's goroutine, many times.
func RetryHere(try func() error) {
	lib.Retry(func() error {
		for {
			if try() == nil {
				return nil
			}
		}
	})
}

// lib.WatchErrors sends in a goroutine it starts: the caller that stops
// listening leaves that goroutine blocked.
func WatchUntil(stop chan struct{}, poll func() error) error {
	errc := make(chan error)
	lib.WatchErrors(errc, poll) // want `goroutine blocks for ever in WatchErrors, sending on unbuffered channel errc: WatchUntil can return through the stop case without receiving from errc`
	select {
	case err := <-errc:
		return err
	case <-stop:
		return nil
	}
}

// Twin: the caller waits for the one error.
func WatchAll(poll func() error) error {
	errc := make(chan error)
	lib.WatchErrors(errc, poll)
	return <-errc
}

func FetchAndForget() {
	f := lib.StartFetch() // want `StartFetch starts a goroutine that ends by sending on result, which only f.Result receives or hands out, but FetchAndForget never calls it: the goroutine leaks, blocked on that send, when f is dropped`
	println(f != nil)
}

func FetchAndRead() string {
	f := lib.StartFetch()
	return f.Result()
}
