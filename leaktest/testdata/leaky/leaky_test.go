// Package leaky holds tests that leak goroutines on purpose, and tests that
// leave slow goroutines behind without leaking them. leaktest_test.go runs
// them in a test binary of their own and checks what leaktest says: a line
// marked "// TestName leaks here" is where that test's goroutine must be
// reported blocked, and a test with no such line must pass.
package leaky

import (
	"sync"
	"testing"
	"time"

	"github.com/goroutineleak/goroutineleak/leaktest"
)

func TestSendNoReader(t *testing.T) {
	defer leaktest.Check(t)
	ch := make(chan int)
	go func() {
		ch <- 1 // TestSendNoReader leaks here
	}()
}

func TestReceiveNoSender(t *testing.T) {
	defer leaktest.Check(t)
	ch := make(chan int)
	go func() {
		<-ch // TestReceiveNoSender leaks here
	}()
}

// counter's map keeps it out of the runtime's tiny allocator: a bare
// sync.Mutex, 8 bytes without pointers, may share a 16-byte block that is
// still in use, and a goroutine blocked on it is then not found leaked.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func TestMutexNeverUnlocked(t *testing.T) {
	defer leaktest.Check(t)
	c := &counter{n: map[string]int{}}
	c.mu.Lock()
	go func() {
		c.mu.Lock() // TestMutexNeverUnlocked leaks here
		defer c.mu.Unlock()
		c.n["x"]++
	}()
}

// TestSlowGoroutines leaves goroutines that finish after the test does:
// one sleeps, one waits on a channel a timer closes, one on a channel that
// a sleeping goroutine closes. goleak fails this test; none of them is
// leaked.
func TestSlowGoroutines(t *testing.T) {
	defer leaktest.Check(t)
	go time.Sleep(50 * time.Millisecond)

	byTimer := make(chan struct{})
	time.AfterFunc(50*time.Millisecond, func() { close(byTimer) })
	go func() { <-byTimer }()

	bySleeper := make(chan int)
	go func() { <-bySleeper }()
	go func() {
		time.Sleep(50 * time.Millisecond)
		close(bySleeper)
	}()
}

// TestIgnored leaks on a line whose static report is silenced.
func TestIgnored(t *testing.T) {
	defer leaktest.Check(t)
	ch := make(chan int)
	go func() {
		//goroutineleak:ignore the harness reads it, someone said
		ch <- 1 // TestIgnored leaks here
	}()
}

// TestGrandchild leaks a goroutine started by a goroutine that has exited
// by the time the test ends: it is attributed to the test only when the
// runtime records ancestors (GODEBUG=tracebackancestors=N).
func TestGrandchild(t *testing.T) {
	defer leaktest.Check(t)
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

// Parallel's subtests run together. One leaks and then waits until the
// other has checked, so that the other's Check sees the leaked goroutine
// while its test is still running: it must not blame it.
var (
	leaked  = make(chan struct{})
	checked = make(chan struct{})
)

func TestParallel(t *testing.T) {
	t.Run("leaks", func(t *testing.T) {
		t.Parallel()
		defer leaktest.Check(t)
		leak()
		close(leaked)
		<-checked
	})
	t.Run("clean", func(t *testing.T) {
		t.Parallel()
		defer close(checked)
		defer leaktest.Check(t)
		<-leaked
	})
}

func leak() {
	ch := make(chan int)
	go func() {
		ch <- 1 // TestParallel/leaks leaks here
	}()
}
