package testfail

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func serve() error { return nil }
func dial() error  { return nil }

// t.Fatal and require.* end the test's goroutine (runtime.Goexit): a
// goroutine whose only reader comes after them leaks when the test fails.
func checkServe(t *testing.T) {
	errc := make(chan error)
	go func() {
		errc <- serve() // want `goroutine blocks for ever sending on unbuffered channel errc: checkServe can stop when the test fails, without receiving from errc`
	}()
	if err := dial(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Error(err)
	}
}

func checkServeRequire(t *testing.T) {
	errc := make(chan error)
	go func() {
		errc <- serve() // want `goroutine blocks for ever sending on unbuffered channel errc: checkServeRequire can stop when the test fails, without receiving from errc`
	}()
	require.NoError(t, dial())
	<-errc
}

// Twins: a buffer, a deferred drain, and a drain in t.Cleanup.
func checkServeBuffered(t *testing.T) {
	errc := make(chan error, 1)
	go func() { errc <- serve() }()
	if err := dial(); err != nil {
		t.Fatal(err)
	}
	<-errc
}

func checkServeDeferred(t *testing.T) {
	errc := make(chan error)
	go func() { errc <- serve() }()
	defer func() { <-errc }()
	if err := dial(); err != nil {
		t.Fatal(err)
	}
}

func checkServeCleanup(t *testing.T) {
	errc := make(chan error)
	go func() { errc <- serve() }()
	t.Cleanup(func() { <-errc })
	require.NoError(t, dial())
}

// A goroutine that marks the test failed and returns leaves its parent
// waiting: the test hangs instead of failing.
func checkWork(t *testing.T) {
	done := make(chan struct{})
	go func() {
		if err := serve(); err != nil {
			t.Errorf("work: %v", err)
			return
		}
		close(done)
	}()
	<-done // want `checkWork blocks for ever receiving from done: the goroutine it starts can return, when the test fails, without sending to or closing done`
}

