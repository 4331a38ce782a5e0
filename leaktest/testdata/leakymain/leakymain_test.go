// Package leakymain runs its tests under leaktest.Main; leaktest_test.go
// runs it in a test binary of its own. TestLeaksUnchecked leaks without a
// Check of its own, so Main must report it after the tests pass.
package leakymain

import (
	"testing"

	"github.com/goroutineleak/goroutineleak/leaktest"
)

func TestMain(m *testing.M) {
	leaktest.Main(m)
}

func TestClean(t *testing.T) {
	done := make(chan struct{})
	go func() { close(done) }()
	<-done
}

func TestLeaksUnchecked(t *testing.T) {
	ch := make(chan int)
	go func() {
		<-ch // TestLeaksUnchecked leaks here
	}()
}

func TestLeaksChecked(t *testing.T) {
	defer leaktest.Check(t)
	ch := make(chan int)
	go func() {
		<-ch // TestLeaksChecked leaks here
	}()
}
