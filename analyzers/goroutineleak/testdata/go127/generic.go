// Package go127 holds fixtures in Go 1.27 syntax: generic methods and
// struct literals keyed by promoted fields. Its go.mod says go 1.27, so
// only a Go 1.27 toolchain loads it (TestGo127).
package go127

import (
	"context"
	"errors"
	"time"
)

var errTimeout = errors.New("timeout")

type Client struct{ timeout time.Duration }

// Fetch is a generic method: its goroutine's send is abandoned when the
// timeout case is taken.
func (c *Client) Fetch[T any](get func() T) (T, error) {
	out := make(chan T)
	go func() {
		out <- get() // want "goroutine blocks for ever sending on unbuffered channel out: Fetch can return through the time.After case without receiving from out"
	}()
	select {
	case v := <-out:
		return v, nil
	case <-time.After(c.timeout):
		var zero T
		return zero, errTimeout
	}
}

// FetchBuffered is Fetch's twin: a buffer of one lets the goroutine finish.
func (c *Client) FetchBuffered[T any](get func() T) (T, error) {
	out := make(chan T, 1)
	go func() {
		out <- get()
	}()
	select {
	case v := <-out:
		return v, nil
	case <-time.After(c.timeout):
		var zero T
		return zero, errTimeout
	}
}

type Box[E any] struct{ items []E }

// Each is a generic method of a generic type: one goroutine per item, and
// as many receives.
func (b *Box[E]) Each[R any](f func(E) R) []R {
	ch := make(chan R)
	for _, it := range b.items {
		go func() { ch <- f(it) }()
	}
	var out []R
	for range b.items {
		out = append(out, <-ch)
	}
	return out
}

func (b *Box[E]) spin[R any](f func(E) R) {
	for { // want "goroutine never finishes: this for loop has no condition"
		for _, it := range b.items {
			f(it)
		}
	}
}

func (b *Box[E]) spinCtx[R any](ctx context.Context, f func(E) R) {
	for {
		select {
		case <-ctx.Done():
			return
		default:
		}
		for _, it := range b.items {
			f(it)
		}
	}
}

func (b *Box[E]) drain[R any](ch <-chan R) {
	for range ch {
	}
}

// Start runs generic methods as goroutines, with explicit and inferred
// type arguments.
func Start(ctx context.Context, b *Box[int]) {
	go b.spin[string](func(int) string { return "" })
	go b.spinCtx(ctx, func(int) string { return "" })
	ch := make(chan string)
	go b.drain(ch) // want "goroutine blocks for ever in drain, ranging over ch: nothing closes ch"
	ch <- "x"
}

// StartClosed is Start's twin: the channel is closed, and the loop checks
// its context.
func StartClosed(ctx context.Context, b *Box[int]) {
	go b.spinCtx(ctx, func(int) string { return "" })
	ch := make(chan string)
	go b.drain(ch)
	ch <- "x"
	close(ch)
}
