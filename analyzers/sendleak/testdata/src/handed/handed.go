// Package handed holds callbacks handed to another package, which runs
// them on its own goroutine as often as its events come. Each must-flag
// case is followed by correct twins.
package handed

import (
	"context"
	"errors"
	"testing"
	"time"

	"handedlib"
)

// waitFirstError hands an error handler over in an option and waits a
// second for its first error: after the timeout, or after the first
// error, the client's goroutine blocks in the handler's next send.
func waitFirstError() error {
	errs := make(chan error)
	onError := func(err error) {
		errs <- err // want `goroutine blocks for ever sending on unbuffered channel errs in a callback handed to handedlib.OnError: the other package runs it on its own goroutine, as often as it chooses, and waitFirstError receives from errs only in a select that can give up on the time.After case and not come back`
	}
	c := handedlib.Dial(handedlib.OnError(onError))
	defer c.Close()
	c.Publish("")
	select {
	case err := <-errs:
		return err
	case <-time.After(time.Second):
		return errors.New("no error reported")
	}
}

// waitFirstErrorBuffered is the fix: the buffer keeps the handler from
// blocking on the errors nobody waits for (as many as the test expects).
func waitFirstErrorBuffered() error {
	errs := make(chan error, 10)
	onError := func(err error) {
		errs <- err
	}
	c := handedlib.Dial(handedlib.OnError(onError))
	defer c.Close()
	c.Publish("")
	select {
	case err := <-errs:
		return err
	case <-time.After(time.Second):
		return errors.New("no error reported")
	}
}

// waitFirstErrorOrStop: the handler gives up too, once the caller's
// context is done.
func waitFirstErrorOrStop(ctx context.Context) error {
	errs := make(chan error)
	c := handedlib.Dial(handedlib.OnError(func(err error) {
		select {
		case errs <- err:
		case <-ctx.Done():
		}
	}))
	defer c.Close()
	select {
	case err := <-errs:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// firstMessage subscribes a literal that reports every message and takes
// the first, unless the context ends first.
func firstMessage(ctx context.Context, c *handedlib.Client) (string, error) {
	got := make(chan string)
	c.Subscribe(func(m string) {
		got <- m // want `goroutine blocks for ever sending on unbuffered channel got in a callback handed to c.Subscribe: the other package runs it on its own goroutine, as often as it chooses, and firstMessage receives from got only in a select that can give up on the ctx.Done\(\) case and not come back`
	})
	c.Publish("hello")
	select {
	case m := <-got:
		return m, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// everyMessage receives for as long as messages come: nothing gives up.
func everyMessage(c *handedlib.Client, print func(string)) {
	got := make(chan string)
	c.Subscribe(func(m string) {
		got <- m
	})
	for m := range got {
		print(m)
	}
}

// firstMessageWaits has no way out: the receive waits for the message.
func firstMessageWaits(c *handedlib.Client) string {
	got := make(chan string)
	c.Subscribe(func(m string) {
		got <- m
	})
	c.Publish("hello")
	return <-got
}

// messagesUntilTick keeps coming back to the select after a tick: the
// timeout is no way out.
func messagesUntilTick(c *handedlib.Client, print func(string)) {
	got := make(chan string)
	c.Subscribe(func(m string) {
		got <- m
	})
	for {
		select {
		case m := <-got:
			print(m)
		case <-time.After(time.Second):
			print("tick")
		}
	}
}

// subscribeLocal hands the literal to a function of this package, which
// calls it in place: the rules on this package's code follow it.
func subscribeLocal(ctx context.Context) error {
	done := make(chan struct{})
	each([]int{1}, func(int) {
		close(done)
	})
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func each(xs []int, f func(int)) {
	for _, x := range xs {
		f(x)
	}
}

// relayed passes the channel itself on as well: other code may receive.
func relayed(ctx context.Context, c *handedlib.Client, sink func(chan string)) (string, error) {
	got := make(chan string)
	c.Subscribe(func(m string) {
		got <- m
	})
	sink(got)
	select {
	case m := <-got:
		return m, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// testNoError asserts that the handler does not run: a send fails the
// test, which expects none.
func testNoError(t *testing.T) {
	errs := make(chan error)
	c := handedlib.Dial(handedlib.OnError(func(err error) {
		errs <- err
	}))
	defer c.Close()
	c.Publish("hello")
	select {
	case err := <-errs:
		t.Fatalf("unexpected error: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
}

// testFirstError gives up only by failing: the testleak pattern reports
// it, sendleak does not.
func testFirstError(t *testing.T) {
	errs := make(chan error)
	c := handedlib.Dial(handedlib.OnError(func(err error) {
		errs <- err
	}))
	defer c.Close()
	c.Publish("")
	select {
	case <-errs:
	case <-time.After(time.Second):
		t.Fatal("no error reported")
	}
}

// testAllMessages marks the test failed and returns on the timeout: a
// failure path too.
func testAllMessages(t *testing.T, c *handedlib.Client) {
	got := make(chan string)
	c.Subscribe(func(m string) {
		got <- m
	})
	for count := 0; count < 10; {
		select {
		case <-got:
			count++
		case <-time.After(time.Second):
			t.Errorf("only %d messages", count)
			return
		}
	}
}
