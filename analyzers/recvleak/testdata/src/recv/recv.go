// Package recv holds receives in goroutines: each must-flag case is
// followed by correct twins that must stay silent.
package recv

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"sync"
	"time"
)

func use(int) {}

// --- a local channel nobody sends to or closes ---

func neverSent() {
	ch := make(chan int)
	go func() {
		use(<-ch) // want `goroutine blocks for ever receiving from ch: nothing sends to or closes ch`
	}()
}

func neverSentCommaOk() {
	ch := make(chan int)
	go func() {
		v, ok := <-ch // want `goroutine blocks for ever receiving from ch: nothing sends to or closes ch`
		_, _ = v, ok
	}()
}

func sentAfterStart() {
	ch := make(chan int)
	go func() { use(<-ch) }()
	ch <- 1
}

func closedAfterStart() {
	ch := make(chan int)
	go func() { use(<-ch) }()
	close(ch)
}

func closedByDefer() error {
	ch := make(chan int)
	defer close(ch)
	go func() { use(<-ch) }()
	if time.Now().IsZero() {
		return errors.New("early")
	}
	return nil
}

// The channel reaches code we cannot see: silent.
func handedToUnknown(register func(chan int)) {
	ch := make(chan int)
	register(ch)
	go func() { use(<-ch) }()
}

func returned() chan int {
	ch := make(chan int)
	go func() { use(<-ch) }()
	return ch
}

type holder struct{ c chan int }

func stored(h *holder) {
	ch := make(chan int)
	h.c = ch
	go func() { use(<-ch) }()
}

// Fed by the standard library.
func notified() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	go func() { <-ch }()
}

func timerChannel() {
	go func() { <-time.After(time.Second) }()
	t := time.NewTimer(time.Second)
	go func() { <-t.C }()
}

// --- the only sender is skipped by an early return ---

func earlyReturn(fail bool) error {
	ch := make(chan int)
	go func() {
		use(<-ch) // want `goroutine blocks for ever receiving from ch: earlyReturn can return without sending to or closing ch`
	}()
	if fail {
		return errors.New("failed")
	}
	ch <- 1
	return nil
}

func earlyReturnAfterSend(fail bool) error {
	ch := make(chan int)
	go func() { use(<-ch) }()
	ch <- 1
	if fail {
		return errors.New("failed")
	}
	return nil
}

func sendOnBothPaths(fail bool) error {
	ch := make(chan int)
	go func() { use(<-ch) }()
	if fail {
		close(ch)
		return errors.New("failed")
	}
	ch <- 1
	return nil
}

func fatalPath(fail bool) {
	ch := make(chan int)
	go func() { use(<-ch) }()
	if fail {
		os.Exit(1) // the process ends: nothing leaks
	}
	ch <- 1
}

func sendInLoop(xs []int) {
	ch := make(chan int)
	go func() { use(<-ch) }()
	for _, x := range xs {
		ch <- x // the loop is taken to run
	}
}

// --- range over a channel that nobody closes ---

func rangeNeverClosed(xs []int) {
	ch := make(chan int)
	go func() {
		for v := range ch { // want `goroutine blocks for ever ranging over ch: nothing closes ch, so the loop never ends`
			use(v)
		}
	}()
	for _, x := range xs {
		ch <- x
	}
}

// Twin of rangeNeverClosed: the owner waits for the consumer before it
// returns, so a close on its return would come too late: no fix.
func rangeNeverClosedWaits(xs []int) {
	ch := make(chan int)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for v := range ch { // want `goroutine blocks for ever ranging over ch: nothing closes ch, so the loop never ends`
			use(v)
		}
	}()
	for _, x := range xs {
		ch <- x
	}
	wg.Wait()
}

// Twin: another goroutine sends too; it could send after the close: no fix.
func rangeNeverClosedTwoSenders(xs []int) {
	ch := make(chan int)
	go func() {
		for v := range ch { // want `goroutine blocks for ever ranging over ch: nothing closes ch, so the loop never ends`
			use(v)
		}
	}()
	go func() { ch <- 0 }()
	for _, x := range xs {
		ch <- x
	}
}

func rangeClosed(xs []int) {
	ch := make(chan int)
	go func() {
		for v := range ch {
			use(v)
		}
	}()
	for _, x := range xs {
		ch <- x
	}
	close(ch)
}

func rangeSentinel(xs []int) {
	ch := make(chan int)
	go func() {
		for v := range ch {
			if v < 0 {
				return
			}
			use(v)
		}
	}()
	for _, x := range xs {
		ch <- x
	}
	ch <- -1
}

func rangeCloseSkipped(xs []int, fail bool) error {
	ch := make(chan int)
	go func() {
		for v := range ch { // want `goroutine blocks for ever ranging over ch: rangeCloseSkipped can return without closing ch`
			use(v)
		}
	}()
	for _, x := range xs {
		ch <- x
	}
	if fail {
		return errors.New("failed")
	}
	close(ch)
	return nil
}

// --- nil channels ---

func nilChannel() {
	var ch chan int
	go func() {
		use(<-ch) // want `goroutine blocks for ever receiving from ch: ch is a nil channel`
	}()
}

func nilThenMade() {
	var ch chan int
	ch = make(chan int)
	go func() { use(<-ch) }()
	ch <- 1
}

// --- ctx.Done() of a context that is never cancelled ---

func backgroundDone() {
	ctx := context.Background()
	go func() {
		<-ctx.Done() // want `goroutine blocks for ever receiving from ctx.Done\(\): ctx is context.Background\(\), which is never cancelled`
	}()
	go func() {
		<-context.TODO().Done() // want `goroutine blocks for ever receiving from context.TODO\(\).Done\(\): context.TODO\(\) is context.TODO\(\), which is never cancelled`
	}()
}

func cancellableDone() {
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-ctx.Done() }()
	cancel()
}

func reassignedContext(parent context.Context) {
	ctx := context.Background()
	if parent != nil {
		ctx = parent
	}
	go func() { <-ctx.Done() }()
}

// --- selects none of whose cases can proceed ---

func deadSelect() {
	a := make(chan int)
	b := make(chan int)
	go func() {
		select { // want `goroutine blocks for ever in select: no case can proceed \(nothing sends to or closes a; nothing sends to or closes b\)`
		case <-a:
		case <-b:
		}
	}()
}

func emptySelect() {
	go func() {
		select {} // want `goroutine blocks for ever in an empty select`
	}()
}

func liveSelect(ctx context.Context) {
	a := make(chan int)
	go func() {
		select {
		case <-a:
		case <-ctx.Done():
		}
	}()
}

func selectWithDefault() {
	a := make(chan int)
	go func() {
		select {
		case <-a:
		default:
		}
	}()
}

// --- in-package callees and other ways to start goroutines ---

func consume(ch <-chan int) {
	for v := range ch {
		use(v)
	}
}

func consumerNeverClosed(xs []int) {
	ch := make(chan int)
	go consume(ch) // want `goroutine blocks for ever in consume, ranging over ch: nothing closes ch, so the loop never ends`
	for _, x := range xs {
		ch <- x
	}
}

func consumerClosed(xs []int) {
	ch := make(chan int)
	go consume(ch)
	for _, x := range xs {
		ch <- x
	}
	close(ch)
}

func literalWithParam() {
	ch := make(chan int)
	go func(c <-chan int) {
		use(<-c) // want `goroutine blocks for ever receiving from ch: nothing sends to or closes ch`
	}(ch)
}

func waitGroupGo() {
	var wg sync.WaitGroup
	ch := make(chan int)
	wg.Go(func() {
		use(<-ch) // want `goroutine blocks for ever receiving from ch: nothing sends to or closes ch`
	})
	wg.Wait()
}

func waitGroupGoFed() {
	var wg sync.WaitGroup
	ch := make(chan int, 1)
	wg.Go(func() { use(<-ch) })
	ch <- 1
	wg.Wait()
}

// Not a goroutine: a callback may run at any time.
func callback(run func(func())) {
	ch := make(chan int)
	run(func() { use(<-ch) })
}

// A channel made in the operation itself: nothing else can ever reach it.
func freshChannel() {
	go func() {
		<-make(chan int) // want `goroutine blocks for ever receiving from make\(chan int\): the channel is made here, so nothing else can reach it`
	}()
	go func() {
		select { // want `goroutine blocks for ever in select: no case can proceed: the channel is made here, so nothing else can reach it`
		case <-make(chan struct{}):
		}
	}()
}

// Twins: a fresh channel in a select with a way out, and one received from
// in the parent (the idiom that parks main) are not goroutines blocked on it.
func freshChannelTwins(done chan struct{}) {
	go func() {
		select {
		case <-make(chan struct{}):
		case <-done:
		}
	}()
	<-make(chan struct{})
}

// The spawner waits on a close that the goroutine it starts can skip by
// returning early.
func spawnerWaits(items <-chan int) {
	done := make(chan struct{})
	go func() {
		for it := range items {
			if it < 0 {
				return
			}
		}
		close(done)
	}()
	<-done // want `spawnerWaits blocks for ever receiving from done: the goroutine it starts can return without sending to or closing done`
}

// Twins: a deferred close, and a close on every path.
func spawnerWaitsDeferred(items <-chan int) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for it := range items {
			if it < 0 {
				return
			}
		}
	}()
	<-done
}

func spawnerWaitsEveryPath(items <-chan int) {
	done := make(chan struct{})
	go func() {
		for it := range items {
			if it < 0 {
				close(done)
				return
			}
		}
		close(done)
	}()
	<-done
}

// The grpc #1424 shape: the goroutine's function is given the channel its
// starter waits on and never closes it. The fix closes it there on return.
type watcher struct{ addrs chan bool }

func (w *watcher) stop() { close(w.addrs) }

func (w *watcher) lbWatcher(doneChan chan bool) {
	for range w.addrs {
	}
}

func dialWatch(w *watcher) {
	go func() {
		doneChan := make(chan bool)
		go w.lbWatcher(doneChan)
		<-doneChan // want `goroutine blocks for ever receiving from doneChan: nothing sends to or closes doneChan`
	}()
	w.stop()
}

// Twin: the function is called elsewhere too, with another channel that
// its caller may close itself: no fix.
func (w *watcher) lbWatcher2(doneChan chan bool) {
	for range w.addrs {
	}
}

func dialWatch2(w *watcher) {
	go func() {
		doneChan := make(chan bool)
		go w.lbWatcher2(doneChan)
		<-doneChan // want `goroutine blocks for ever receiving from doneChan: nothing sends to or closes doneChan`
	}()
	w.stop()
}

func watchAgain(w *watcher) {
	done := make(chan bool)
	w.lbWatcher2(done)
	close(done)
}

// Twin (a false positive once seen on real code): the loop closes the
// channel on one kind of record, and marks that in data the code after
// the loop tests; the path that skips both closes is not one the code
// can take.
func loadRecords(recs []int, workers int) {
	records := make(chan int, 5)
	for range workers {
		go func() {
			for range records {
			}
		}()
	}
	var loaded map[int]bool
	for _, r := range recs {
		switch r {
		case 0:
			if len(loaded) == 0 {
				close(records)
				loaded = map[int]bool{0: true}
			}
		default:
			records <- r
		}
	}
	if len(loaded) == 0 {
		close(records)
	}
}
