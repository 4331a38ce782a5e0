// Package ctxloop holds loops that have a context in hand and never look
// at it; the suggested fix returns when the context is cancelled.
package ctxloop

import (
	"context"

	"golang.org/x/sync/errgroup"
)

func work() {}

func Run(ctx context.Context) {
	go func() {
		for { // want `goroutine never finishes: this for loop has no condition and it never checks ctx.Done\(\), so cancelling ctx does not stop it`
			work()
		}
	}()
}

func RunGroup(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		for { // want `goroutine never finishes: this for loop has no condition and it never checks ctx.Done\(\)`
			work()
		}
	})
	return g.Wait()
}

func RunChecked(ctx context.Context) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			default:
			}
			work()
		}
	}()
}

func RunPassing(ctx context.Context, step func(context.Context) error) {
	go func() {
		for {
			if err := step(ctx); err != nil {
				return
			}
		}
	}()
}
