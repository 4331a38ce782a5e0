package lib // want package:"hasContracts" package:"hasGenerators"

// lib is the library half of a cross-package pair: the facts it exports
// let package user find leaks in goroutines that run lib's code.

import (
	"context"
	"fmt"
	"os"
	"time"
)

func work() {}

func Fatalf(format string, args ...any) { // want Fatalf:"noReturn"
	fmt.Fprintf(os.Stderr, format, args...)
	os.Exit(1)
}

func Loop() { // want Loop:"loopsForever"
	for {
		work()
	}
}

func LoopIgnoringContext(ctx context.Context) { // want LoopIgnoringContext:"loopsForever\\(ignoresContext\\)"
	for range time.Tick(time.Second) {
		work()
	}
}

func Poll(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		default:
			work()
		}
	}
}

func Consume(ch <-chan int) { // want Consume:`chanParams\(recv\|range\)`
	for range ch {
		work()
	}
}

func Produce(out chan<- int, n int) { // want Produce:`chanParams\(send\|close\|blockingSend sends=many; -\)`
	defer close(out)
	for i := 0; i < n; i++ {
		out <- i
	}
}

// Announce sends once, or twice when verbose: a caller must receive twice.
func Announce(out chan<- string, verbose bool) { // want Announce:`chanParams\(send\|blockingSend sends=2; -\)`
	out <- "start"
	if verbose {
		out <- "detail"
	}
}

var registry []chan int

func Register(ch chan int) { // want Register:`chanParams\(escapes\)`
	registry = append(registry, ch)
}

// Worker's goroutine runs until Stop closes quit.
type Worker struct {
	quit chan struct{}
	jobs chan func()
}

func NewWorker() *Worker { // want NewWorker:`releasedBy\(Stop\)`
	w := &Worker{quit: make(chan struct{}), jobs: make(chan func())}
	go w.loop()
	return w
}

func (w *Worker) loop() {
	for {
		select {
		case job := <-w.jobs:
			job()
		case <-w.quit:
			return
		}
	}
}

func (w *Worker) Submit(job func()) { w.jobs <- job }

func (w *Worker) Stop() { close(w.quit) }

// Poller's goroutine runs until Close.
type Poller struct{ done chan struct{} }

func (p *Poller) Start() { // want Start:`releasedBy\(Close\)`
	p.done = make(chan struct{})
	go func() {
		<-p.done
		work()
	}()
}

func (p *Poller) Close() { close(p.done) }

func NewPoller() *Poller { return &Poller{} }

// Gate's goroutines wait until Run opens the gate (through start).
type Gate struct{ block chan struct{} }

func NewGate() *Gate { return &Gate{block: make(chan struct{})} }

func (g *Gate) Update() { // want Update:`releasedBy\(Run\)`
	go func() {
		<-g.block
		work()
	}()
}

func (g *Gate) start() { close(g.block) }

func (g *Gate) Run() {
	g.start()
}

// Ticker's goroutine can also finish on its own: no contract.
type Ticker struct{ stop chan struct{} }

func NewTicker(n int) *Ticker {
	t := &Ticker{stop: make(chan struct{})}
	go func() {
		for i := 0; ; i++ {
			if i == n {
				return
			}
			select {
			case <-t.stop:
				return
			default:
			}
		}
	}()
	return t
}

func (t *Ticker) Stop() { close(t.stop) }

// Proxy.Run serves until its listener fails: its callers are the process's
// top level, so Run is not taken as a starter that needs a Stop.
type Proxy struct {
	donec  chan struct{}
	accept func() error
}

func (p *Proxy) Run() error {
	p.donec = make(chan struct{})
	go p.monitor()
	for {
		if err := p.accept(); err != nil {
			return err
		}
	}
}

func (p *Proxy) monitor() {
	<-p.donec
}

func (p *Proxy) Stop() { close(p.donec) }

// Flusher starts its goroutine only when enabled: no contract binds callers.
type Flusher struct {
	stop    chan struct{}
	enabled bool
}

func NewFlusher(enabled bool) *Flusher {
	return &Flusher{stop: make(chan struct{}), enabled: enabled}
}

func (f *Flusher) Init() {
	if f.enabled {
		go func() {
			<-f.stop
		}()
	}
}

func (f *Flusher) Close() { close(f.stop) }

// Count is a generator: it returns a channel that its own goroutine feeds
// until n values are taken. A caller that stops early leaves it blocked.
func Count(n int) <-chan int { // want Count:"feedsResult"
	out := make(chan int)
	go func() {
		defer close(out)
		for i := range n {
			out <- i
		}
	}()
	return out
}

// SafeGo starts f as a goroutine that recovers its panics: callers'
// closures are goroutines. Handle, deferred, runs only on a panic: it is
// not counted as started.
func SafeGo(f func(), handle func(any)) { // want SafeGo:`startsFuncs\(starts; -\)`
	go func() {
		defer func() {
			if r := recover(); r != nil {
				handle(r)
			}
		}()
		f()
	}()
}

// Recovered runs f once, recovering its panics: go Recovered(f) starts f.
func Recovered(f func()) { // want Recovered:"startsFuncs\\(runs\\)"
	defer func() { _ = recover() }()
	f()
}

// Retry runs f until it succeeds: f runs many times, so it is neither.
func Retry(f func() error) {
	for f() != nil {
	}
}

// WatchErrors starts a goroutine that sends on errc the first error of
// poll: the channel is used in that goroutine only.
func WatchErrors(errc chan<- error, poll func() error) { // want WatchErrors:`chanParams\(send\|blockingSend\|inGoroutine; -\)` WatchErrors:`startsFuncs\(-; starts\)`
	go func() {
		if err := poll(); err != nil {
			errc <- err
		}
	}()
}

// A Fetch delivers its one result on an unbuffered field that only Result
// reads: a read contract, which binds callers in other packages too.
type Fetch struct{ result chan string }

func StartFetch() *Fetch { // want StartFetch:`releasedBy\(Result\)`
	f := &Fetch{result: make(chan string)}
	go func() { f.result <- "done" }()
	return f
}

func (f *Fetch) Result() string { return <-f.result }

// Sync logs what goes wrong and never returns an error: a caller's return
// on its error never happens.
func Sync() error { // want Sync:"nilError"
	work()
	return nil
}
