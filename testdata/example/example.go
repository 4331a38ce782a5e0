// Package example shows the three leak patterns goroutineleak reports,
// each beside a correct version that it leaves alone. Run:
//
//	go run ./cmd/goroutineleak ./testdata/example
package example

import (
	"context"
	"errors"
	"time"
)

type Result struct{ Body string }

func fetch(url string) Result { return Result{Body: url} }

var ErrTimeout = errors.New("timeout")

// FetchWithTimeout leaks its goroutine when the timeout wins: nobody is
// left to receive the result (sendleak).
func FetchWithTimeout(url string) (Result, error) {
	out := make(chan Result)
	go func() { out <- fetch(url) }()
	select {
	case r := <-out:
		return r, nil
	case <-time.After(time.Second):
		return Result{}, ErrTimeout
	}
}

// FetchWithTimeoutFixed gives the result a place to go.
func FetchWithTimeoutFixed(url string) (Result, error) {
	out := make(chan Result, 1)
	go func() { out <- fetch(url) }()
	select {
	case r := <-out:
		return r, nil
	case <-time.After(time.Second):
		return Result{}, ErrTimeout
	}
}

// Pipeline leaks its consumer when validation fails: the channel is never
// closed, so the range never ends (recvleak).
func Pipeline(urls []string) error {
	work := make(chan string)
	go func() {
		for url := range work {
			fetch(url)
		}
	}()
	for _, url := range urls {
		if url == "" {
			return errors.New("empty url")
		}
		work <- url
	}
	close(work)
	return nil
}

// PipelineFixed closes the channel on every path.
func PipelineFixed(urls []string) error {
	work := make(chan string)
	defer close(work)
	go func() {
		for url := range work {
			fetch(url)
		}
	}()
	for _, url := range urls {
		if url == "" {
			return errors.New("empty url")
		}
		work <- url
	}
	return nil
}

// StartRefresher leaks a goroutine per call: the loop has the caller's
// context in hand and never looks at it (loopleak).
func StartRefresher(ctx context.Context, refresh func()) {
	go func() {
		for {
			refresh()
			time.Sleep(time.Minute)
		}
	}()
}

// StartRefresherFixed stops when the context is cancelled.
func StartRefresherFixed(ctx context.Context, refresh func()) {
	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				refresh()
			}
		}
	}()
}
