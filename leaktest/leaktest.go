// Package leaktest fails a test that leaks goroutines, and only then.
//
//	func TestFetch(t *testing.T) {
//		defer leaktest.Check(t)
//		...
//	}
//
//	func TestMain(m *testing.M) {
//		leaktest.Main(m)
//	}
//
// It asks the runtime, through the goroutineleak profile of runtime/pprof,
// which goroutines are blocked on a channel or a sync primitive that no
// runnable goroutine can reach any more. Nothing can wake such a goroutine:
// every one the profile reports is a leak. A goroutine that is merely slow
// to finish (it sleeps, computes, waits on a timer, a socket or a channel
// that something still holds) is never reported, so there is no list of
// goroutines to ignore and no waiting for them to exit. The converse also
// holds: a goroutine that spins for ever, or that waits on something still
// reachable from a global, is not reported either. Nor, at times, is one
// blocked on a sync.Mutex allocated on its own: 8 bytes without pointers,
// the runtime packs it into a block with other small objects, and the
// block stays reachable while any of them is. A mutex in a struct with a
// pointer field has no such neighbours.
//
// # Go versions
//
// The profile is built in from Go 1.27. With Go 1.26 the test binary must
// be built with GOEXPERIMENT=goroutineleakprofile. Elsewhere Check and
// Main check nothing and say so in one log line (shown with go test -v);
// they never fail a test because the profile is missing.
//
// # What is attributed to a test
//
// Check runs when the test function returns, so deferred calls must run
// before it: defer it first. It writes the profile once, and reports the
// leaked goroutines that the test's goroutine created, directly or through
// goroutines it created. It finds that tree from each goroutine's creator
// ("created by ... in goroutine N" in its traceback): a leaked goroutine
// whose creator is the test's goroutine is the test's, and so is one whose
// creator is the test's through a chain of goroutines that are still
// alive. Hence:
//
//   - A leak from before the test started is never the test's: the test's
//     goroutine did not exist then.
//   - Tests that run at the same time (t.Parallel) have different
//     goroutines, and do not blame each other.
//   - A goroutine whose chain of creators passes through one that has
//     exited is not attributed: a goroutine started by a server's accept
//     loop after the loop returned, or by a subtest that has finished (give
//     the subtest a Check of its own). Run the tests with
//     GODEBUG=tracebackancestors=N (say 10) and the runtime records N
//     creators of every goroutine, including those that have exited; Check
//     then attributes these too. Without it, Main catches them.
//   - A leak reported by one Check is not reported again by another, nor by
//     Main.
//
// Main runs the package's tests and then checks the whole process, as
// goleak's VerifyTestMain does: when the tests passed, every goroutine that
// is leaked then, was not leaked before the tests started (by an init
// function, say) and was not reported by a Check fails the package.
//
// # The static linter
//
// goroutineleak, this module's static analyzer, reports many leaks of these
// kinds before the code runs. When a leak's blocking line or its go
// statement carries a //goroutineleak:ignore directive, the static linter
// reported it and someone judged it harmless; the report says that the
// runtime has now seen it leak.
package leaktest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/goroutineleak/goroutineleak/internal/leakcheck"
)

// noProfile is the one line logged when the test binary has no profile.
const noProfile = "leaktest: goroutine leaks not checked: this test binary has no goroutineleak profile (it needs Go 1.27, or Go 1.26 with GOEXPERIMENT=goroutineleakprofile)"

// Check fails t if the goroutines that t's test started have leaked: if
// any goroutine of its tree is blocked for ever. Use it as
//
//	defer leaktest.Check(t)
//
// at the top of the test, so that it runs after the test's other deferred
// calls. See the package documentation for what it attributes to t.
func Check(t testing.TB) {
	t.Helper()
	check(t, leakcheck.Goroutines, currentID())
}

// Main runs the tests of m and exits: non-zero when they fail, or when
// they pass but leave goroutines leaked that were not leaked before they
// started and that no Check reported. It is goleak.VerifyTestMain's place:
//
//	func TestMain(m *testing.M) {
//		leaktest.Main(m)
//	}
func Main(m *testing.M) {
	os.Exit(Run(m))
}

// Run is Main for a TestMain with more to do once the tests have run (a
// temporary directory to remove): it returns the exit code instead of
// exiting.
//
//	func TestMain(m *testing.M) {
//		setUp()
//		code := leaktest.Run(m)
//		tearDown()
//		os.Exit(code)
//	}
func Run(m *testing.M) int {
	code, msg := run(m, leakcheck.Goroutines)
	if msg != "" {
		fmt.Fprintln(os.Stderr, msg)
	}
	return code
}

// profileFunc is leakcheck.Goroutines; tests pass others.
type profileFunc func() ([]leakcheck.Goroutine, error)

// check is Check with the profile and the test's goroutine as arguments.
func check(t testing.TB, profile profileFunc, root int64) {
	t.Helper()
	all, err := profile()
	if errors.Is(err, leakcheck.ErrNoProfile) {
		t.Log(noProfile)
		return
	}
	if err != nil {
		t.Errorf("leaktest: %v", err)
		return
	}
	if leaks := claim(owned(all, root)); len(leaks) > 0 {
		t.Error(report(t.Name(), leaks))
	}
}

// run is Main with the profile as an argument. It returns the exit code
// and what to print.
func run(m interface{ Run() int }, profile profileFunc) (int, string) {
	before := map[int64]bool{}
	all, err := profile()
	for _, g := range all {
		if g.Leaked {
			before[g.ID] = true
		}
	}
	code := m.Run()
	if errors.Is(err, leakcheck.ErrNoProfile) {
		if testing.Verbose() {
			return code, noProfile
		}
		return code, ""
	}
	if err == nil && code == 0 {
		// As goleak does, leaks are looked for only after the tests
		// passed: a failing test often abandons goroutines on its way out.
		all, err = profile()
	}
	if err != nil {
		return max(code, 1), fmt.Sprintf("leaktest: %v", err)
	}
	if code != 0 {
		return code, ""
	}
	var fresh []leakcheck.Goroutine
	for _, g := range all {
		if g.Leaked && !before[g.ID] {
			fresh = append(fresh, g)
		}
	}
	if leaks := claim(fresh); len(leaks) > 0 {
		return 1, report("", leaks)
	}
	return 0, ""
}

// owned returns the leaked goroutines that root created, directly or
// through goroutines it created: through the creators of the goroutines
// in all, which are alive, and through the ancestors the runtime recorded
// under GODEBUG=tracebackancestors, which may have exited.
func owned(all []leakcheck.Goroutine, root int64) []leakcheck.Goroutine {
	creator := make(map[int64]int64, len(all))
	for _, g := range all {
		creator[g.ID] = g.Creator
	}
	descends := func(id int64) bool {
		for range len(all) + 1 { // IDs are unique, so the chain ends; the bound is a guard
			if id == root {
				return true
			}
			next, alive := creator[id]
			if id == 0 || !alive {
				return false
			}
			id = next
		}
		return false
	}
	var leaks []leakcheck.Goroutine
	for _, g := range all {
		if !g.Leaked {
			continue
		}
		for _, id := range append([]int64{g.Creator}, g.Ancestors...) {
			if descends(id) {
				leaks = append(leaks, g)
				break
			}
		}
	}
	return leaks
}

// reported holds the IDs of the leaked goroutines already reported in this
// process: a leaked goroutine stays leaked, and the profile reports it
// again every time.
var reported struct {
	sync.Mutex
	ids map[int64]bool
}

// claim returns the goroutines of leaks not reported yet, and records
// them as reported.
func claim(leaks []leakcheck.Goroutine) []leakcheck.Goroutine {
	reported.Lock()
	defer reported.Unlock()
	if reported.ids == nil {
		reported.ids = map[int64]bool{}
	}
	var fresh []leakcheck.Goroutine
	for _, g := range leaks {
		if !reported.ids[g.ID] {
			reported.ids[g.ID] = true
			fresh = append(fresh, g)
		}
	}
	return fresh
}

// currentID returns the ID of the calling goroutine, from the first line
// of its traceback: "goroutine 18 [running]:".
func currentID() int64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	buf, _ = bytes.CutPrefix(buf, []byte("goroutine "))
	id, _, _ := bytes.Cut(buf, []byte(" "))
	n, _ := strconv.ParseInt(string(id), 10, 64)
	return n
}
