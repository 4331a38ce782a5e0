// Package labelled holds tests that call leaktest.Check(t) as their first
// statement, without defer: Check labels the test's goroutine, and the
// goroutines it starts, at any depth, inherit the label. leaktest_test.go
// runs them in a test binary of their own, without
// GODEBUG=tracebackancestors: a line marked "// TestName leaks here" is
// where that test's goroutine must be reported blocked, and a test with no
// such line must pass.
package labelled

import (
	"runtime"
	"testing"
	"time"

	"github.com/goroutineleak/goroutineleak/leaktest"
)

// TestGrandchild leaks a goroutine started by a goroutine that has exited
// by the time the test ends: its creator is gone, and the label alone says
// whose it is.
func TestGrandchild(t *testing.T) {
	leaktest.Check(t)
	started := make(chan struct{})
	go func() {
		ch := make(chan int)
		go func() {
			ch <- 1 // TestGrandchild leaks here
		}()
		close(started)
	}()
	<-started
}

// TestSubtestOutlived's subtest starts a goroutine that blocks on a
// channel its parent holds: it is not leaked until the parent lets go of
// the channel, after the subtest's goroutine has exited. It is the
// parent's leak.
func TestSubtestOutlived(t *testing.T) {
	leaktest.Check(t)
	results := make(chan int)
	t.Run("starts", func(t *testing.T) {
		go func() {
			results <- 1 // TestSubtestOutlived leaks here
		}()
	})
	t.Run("other", func(t *testing.T) {})
	runtime.KeepAlive(results)
}

// TestSubtestChecked is TestSubtestOutlived with a Check in the subtest
// too. The subtest's check finds nothing leaked yet, and its label marks
// the goroutine; the parent's check, which runs last, reports it, and
// says which subtest started it.
func TestSubtestChecked(t *testing.T) {
	leaktest.Check(t)
	results := make(chan int)
	t.Run("starts", func(t *testing.T) {
		leaktest.Check(t)
		go func() {
			results <- 1 // TestSubtestChecked leaks here
		}()
	})
	runtime.KeepAlive(results)
}

// TestParallelLeaks and TestParallelClean run side by side. The first
// leaks, through a goroutine whose creator has exited, and the second
// checks while that goroutine is leaked, with a slow goroutine of its own
// so that its check writes the profile: it must not blame the leak.
var parallelLeaked = make(chan struct{})

func TestParallelLeaks(t *testing.T) {
	leaktest.Check(t)
	t.Parallel()
	go func() {
		ch := make(chan int)
		go func() {
			<-ch // TestParallelLeaks leaks here
		}()
	}()
	time.Sleep(10 * time.Millisecond) // the goroutines get going
	close(parallelLeaked)
}

func TestParallelClean(t *testing.T) {
	leaktest.Check(t)
	t.Parallel()
	<-parallelLeaked
	go time.Sleep(100 * time.Millisecond)
	done := make(chan struct{})
	go func() { close(done) }()
	<-done
}
