package recv

import (
	"context"
	"time"
)

// joinContexts derives a context that ends when either of two others
// does. Its goroutine relays their end by calling cancel, and the caller
// gets cancel too: once the caller cancels, the goroutine still waits on
// a and b, which live on.
func joinContexts(a, b context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select { // want `goroutine blocks until a or b is done, also after ctx is cancelled: it waits only to relay that end to ctx, with no case on ctx.Done\(\), and joinContexts hands cancel on, so ctx can end first \(a and b come from its caller\)`
		case <-a.Done():
		case <-b.Done():
		}
		cancel()
	}()
	return ctx, cancel
}

// A relay that the function cancels itself when it is done with the work.
func withDeadlineOf(parent context.Context, work func(context.Context)) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	go func() {
		<-parent.Done() // want `goroutine blocks until parent is done, also after ctx is cancelled`
		cancel()
	}()
	work(ctx)
}

// Twins: the relay that also waits on the derived context, and one whose
// cancel nobody else holds (ctx ends only through the goroutine).
func joinContextsFixed(a, b context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-a.Done():
		case <-b.Done():
		case <-ctx.Done():
		}
		cancel()
	}()
	return ctx, cancel
}

func relayOnly(a context.Context) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-a.Done()
		cancel()
	}()
	return ctx
}

// A relay whose waited context the function cancels when it returns.
func boundedRelay(work func(context.Context)) {
	outer, stop := context.WithCancel(context.Background())
	defer stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-outer.Done()
		cancel()
	}()
	work(ctx)
}
