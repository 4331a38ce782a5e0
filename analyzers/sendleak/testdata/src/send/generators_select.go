package send

import (
	"context"
	"errors"
	"time"
)

// lookup is a future: its goroutine sends one value on an unbuffered
// channel, which nothing but the caller receives.
func lookup(key string) <-chan string {
	out := make(chan string)
	go func() {
		out <- resolve(key)
	}()
	return out
}

func resolve(key string) string { return key }

// A caller that gives up after a timeout leaves the goroutine's one send
// without a receiver.
func lookupWithin(key string, d time.Duration) (string, error) {
	select { // want `goroutine started by lookup blocks for ever sending on the channel it returns once lookupWithin gives up waiting for it`
	case v := <-lookup(key):
		return v, nil
	case <-time.After(d):
		return "", errors.New("timeout")
	}
}

func lookupOrCancel(ctx context.Context, key string) (string, error) {
	res := lookup(key)
	for {
		select { // want `goroutine started by lookup blocks for ever sending on the channel it returns once lookupOrCancel gives up waiting for it`
		case v := <-res:
			return v, nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

// Twins: a caller that waits for the value, a future with a buffer of
// one, a caller that drains the channel after giving up, and a timeout
// in a loop that goes round again.
func lookupWait(key string) string {
	select {
	case v := <-lookup(key):
		return v
	}
}

func bufferedLookup(key string) <-chan string {
	out := make(chan string, 1)
	go func() {
		out <- resolve(key)
	}()
	return out
}

func bufferedLookupWithin(key string, d time.Duration) (string, error) {
	select {
	case v := <-bufferedLookup(key):
		return v, nil
	case <-time.After(d):
		return "", errors.New("timeout")
	}
}

func lookupLogSlow(key string) string {
	res := lookup(key)
	select {
	case v := <-res:
		return v
	case <-time.After(time.Second):
	}
	return <-res // still received
}

func lookupPatiently(key string) string {
	res := lookup(key)
	for {
		select {
		case v := <-res:
			return v
		case <-time.After(time.Second):
			// log and wait on
		}
	}
}

// A generator that stops on its context, and a caller that gives up on
// that same context: both stop.
func watchKey(ctx context.Context, key string) <-chan string {
	out := make(chan string)
	go func() {
		select {
		case out <- resolve(key):
		case <-ctx.Done():
		}
	}()
	return out
}

func watchKeyOrCancel(ctx context.Context, key string) (string, error) {
	select {
	case v := <-watchKey(ctx, key):
		return v, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func watchKeyWithin(ctx context.Context, key string) (string, error) {
	select { // want `goroutine started by watchKey blocks sending on the channel it returns once watchKeyWithin gives up waiting for it, until watchKeyWithin's caller cancels ctx`
	case v := <-watchKey(ctx, key):
		return v, nil
	case <-time.After(time.Second):
		return "", errors.New("timeout")
	}
}
