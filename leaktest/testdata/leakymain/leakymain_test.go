// Package leakymain runs its tests under leaktest.Main; leaktest_test.go
// runs it in a test binary of its own. TestLeaksUnchecked leaks without a
// Check of its own, so Main must report it after the tests pass.
// TestPanics, TestExits and TestHangs end the test binary, printing much
// first, when LEAKYMAIN_END names them; they pass otherwise.
package leakymain

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

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

// endsBinary prints lines numbered 1 to 20000 (more than a pipe holds)
// and reports whether LEAKYMAIN_END names the test, which then ends the
// test binary.
func endsBinary(t *testing.T) bool {
	if !strings.Contains(os.Getenv("LEAKYMAIN_END"), t.Name()) {
		return false
	}
	for i := 1; i <= 20000; i++ {
		fmt.Printf("line %d\n", i)
	}
	return true
}

func TestPanics(t *testing.T) {
	if endsBinary(t) {
		panic("leakymain panics")
	}
}

func TestExits(t *testing.T) {
	if endsBinary(t) {
		os.Exit(3)
	}
}

func TestHangs(t *testing.T) {
	if endsBinary(t) {
		time.Sleep(time.Hour)
	}
}
