// Package leaktest fails a test that leaks goroutines, and only then.
//
//	func TestFetch(t *testing.T) {
//		leaktest.Check(t)
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
// Main check nothing, and the test binary says so once on its standard
// error (go test shows it without -v, except for a package that passes in
// go test ./..., whose output go test drops). They fail no test for it
// unless LEAKTEST_REQUIRE_PROFILE=1 is set, as CI should set it: then
// every Check fails its test, and Main the package.
//
// # What is attributed to a test
//
// Check(t) as the test's first statement gives the test's goroutine a
// pprof label, leaktest=<the test's name>. Every goroutine inherits the
// labels of the goroutine that starts it, so every goroutine that the test
// or its subtests start, at any depth, carries it, however the goroutines
// in between have exited; only a goroutine that sets labels of its own
// (pprof.Do with a context that lacks the test's) drops it. Check looks at
// them through t.Cleanup, once the test and its subtests have finished,
// and writes the profile only if one of them is still alive. A leaked
// goroutine labelled with the test's name, or a subtest's, is the test's.
//
// Check also attributes to the test, in both forms, the leaked goroutines
// that the test's goroutine created, directly or through goroutines it
// created that are still alive ("created by ... in goroutine N" in each
// traceback). That is all the deferred form sees,
//
//	defer leaktest.Check(t)
//
// which checks when the test function returns, so it must be the first
// deferred call; a label set then would mark nothing. Check tells the
// forms apart by the test's goroutine tree: a test with a live goroutine
// it started has begun, and is checked at once.
// Hence:
//
//   - A leak from before the test started is never the test's: the test's
//     goroutine did not exist then.
//   - Tests that run at the same time (t.Parallel) have different
//     goroutines and different labels, and do not blame each other.
//   - In the deferred form, a goroutine whose chain of creators passes
//     through one that has exited is not attributed: a goroutine started by
//     a server's accept loop after the loop returned, or by a subtest that
//     has finished. Run the tests with GODEBUG=tracebackancestors=N (say
//     10) and the runtime records N creators of every goroutine, including
//     those that have exited; Check then attributes these too. Without it,
//     Main catches them. The first-statement form needs none of this.
//   - A leak reported by one Check is not reported again by another, nor by
//     Main. A subtest's Check reports what has leaked when the subtest
//     ends; its parent's reports what leaked later.
//
// Main runs the package's tests and then checks the whole process, as
// goleak's VerifyTestMain does: when the tests passed, every goroutine that
// is leaked then, was not leaked before the tests started (by an init
// function, say) and was not reported by a Check fails the package.
//
// # Main's report and the PASS line
//
// The testing package prints its verdict, PASS, inside m.Run, with no hook
// between the last test and that line. On Linux, when the test binary's
// standard output is a pipe that its parent process reads, as go test's
// is (go test ./..., go test -v with packages, go test -json, CI), Main
// holds that line back: it runs the test binary again as a filter, which
// copies the output through a pipe as it comes, holds a PASS line until
// Main's verdict, and drops it when a leak fails the package, so that the
// report and FAIL take its place. The tests run in the test process, after
// the TestMain's set-up, as ever. The filter reads its pipe to the end,
// so a test that panics, calls os.Exit or outlives -test.timeout loses
// none of its output and keeps its exit code; it recognises itself in an
// init function of a package that imports syscall alone, before any
// package that imports os is initialised, so no package that does I/O
// initialises in it. Elsewhere the PASS line comes before Main's report,
// which says that it overrides it: where go test hands the test binary
// its own output (go test with no packages, in the package's directory;
// -bench, -fuzz), or a test binary runs by hand, nothing would wait for
// the filter's output after a crash, and go test's FAIL line or a shell's
// prompt could come before the end of it; and on other systems.
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
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/goroutineleak/goroutineleak/internal/leakcheck"
)

// RequireProfileEnv names the environment variable that makes a missing
// profile an error: with LEAKTEST_REQUIRE_PROFILE=1, Check fails its test
// and Main fails the package when the test binary has no goroutineleak
// profile. Set it in CI, so that a toolchain without the profile cannot
// turn the leak checks off unnoticed.
const RequireProfileEnv = "LEAKTEST_REQUIRE_PROFILE"

// noProfile says, once per test binary, that nothing is checked and what
// to do about it.
const noProfile = "leaktest: goroutine leaks are NOT checked: this test binary has no goroutineleak profile. " +
	"Run the tests with Go 1.27 or later (GOTOOLCHAIN=go1.27.3 go test ./...), or with Go 1.26 built with the experiment (GOEXPERIMENT=goroutineleakprofile go test ./...). " +
	"Set " + RequireProfileEnv + "=1 to make a missing profile fail the tests, as CI should."

// profileRequired is the error of Check and Main when RequireProfileEnv
// asks for the profile and there is none.
const profileRequired = "leaktest: " + RequireProfileEnv + "=1 requires the goroutineleak profile, and this test binary has none: " +
	"run the tests with Go 1.27 or later (GOTOOLCHAIN=go1.27.3 go test ./...), or with Go 1.26 built with the experiment (GOEXPERIMENT=goroutineleakprofile go test ./...)"

// labelKey is the pprof label that Check gives a test's goroutine, with
// the test's name as its value. Every goroutine inherits the labels of the
// goroutine that starts it, so the label marks everything the test
// starts, at any depth, even after the goroutines in between have exited.
const labelKey = "leaktest"

// Check fails t if goroutines that t's test started have leaked: if any of
// them is blocked for ever. Call it as the test's first statement:
//
//	func TestFetch(t *testing.T) {
//		leaktest.Check(t)
//		...
//	}
//
// It labels the test's goroutine, and so every goroutine the test and its
// subtests start, at any depth, and checks them once the test and its
// subtests have finished, through t.Cleanup.
//
// The older form, deferred at the top of the test,
//
//	defer leaktest.Check(t)
//
// still works as it did: it checks when the test function returns, and
// attributes to t only the goroutines its goroutine started directly or
// through goroutines still alive. See the package documentation.
//
// Check tells the two forms apart by what the test's goroutine has
// started: when a goroutine it started, directly or through others, is
// alive, the test has begun, and Check checks at once, as the deferred
// form always did; otherwise it labels and registers the cleanup.
func Check(t testing.TB) {
	t.Helper()
	w := &watched{name: t.Name(), root: currentID()}
	if w.startedSome(runtimeGoroutines.alive()) {
		// Deferred, or called late: check now, as Check always did.
		w.check(t, runtimeGoroutines)
		return
	}
	// The first statement (or a deferred call in a test whose goroutines
	// have all exited, where the labels mark nothing and the cleanup finds
	// nothing to check).
	pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels(labelKey, w.name)))
	t.Cleanup(func() {
		t.Helper()
		w.check(t, runtimeGoroutines)
	})
	w.profileMissing(t, runtimeGoroutines)
}

// Main runs the tests of m and exits: non-zero when they fail, or when
// they pass but leave goroutines leaked that were not leaked before they
// started and that no Check reported. Its report then replaces the
// testing package's PASS line where the output goes through a pipe (see
// the package documentation). It is goleak.VerifyTestMain's place:
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
	hold := holdVerdict()
	tests := &recordedRun{m: m}
	code, msg := run(tests, runtimeGoroutines)
	passOverridden := tests.code == 0 && code != 0
	if passOverridden && hold == nil {
		// The testing package's PASS is already out.
		msg += "\n" + passPrinted
	}
	if msg != "" {
		fmt.Fprintln(os.Stderr, msg)
	}
	if code != 0 && msg != "" {
		// m.Run has printed PASS, held back or not, or FAIL before msg:
		// end with the verdict, as a run of failed tests does.
		fmt.Print(verdictPrefix(), "FAIL\n")
	}
	hold.finish(passOverridden)
	return code
}

// passPrinted ends Main's report when the testing package's PASS line
// could not be held back.
const passPrinted = "leaktest: the PASS above is the testing package's, printed before this check: the tests FAIL"

// recordedRun records the exit code of the tests.
type recordedRun struct {
	m    interface{ Run() int }
	code int
}

func (r *recordedRun) Run() int {
	r.code = r.m.Run()
	return r.code
}

// verdictPrefix is what the testing package puts before its verdict line:
// a byte that marks it as the framework's under go test -json.
func verdictPrefix() string {
	if v := flag.Lookup("test.v"); v != nil && v.Value.String() == "test2json" {
		return "\x16"
	}
	return ""
}

// goroutineSource is where a check reads the goroutines; tests fake it.
type goroutineSource struct {
	// alive is leakcheck.Alive: cheap, none marked leaked.
	alive func() []leakcheck.Goroutine
	// profile is leakcheck.Goroutines: the profile, with the leaked ones
	// marked.
	profile profileFunc
	// hasProfile says whether the binary has the profile.
	hasProfile func() bool
	// notice says, once, that the profile is missing.
	notice func()
}

// profileFunc is leakcheck.Goroutines; tests pass others.
type profileFunc func() ([]leakcheck.Goroutine, error)

var runtimeGoroutines = goroutineSource{
	alive:      leakcheck.Alive,
	profile:    leakcheck.Goroutines,
	hasProfile: func() bool { return pprof.Lookup("goroutineleak") != nil },
	notice:     noticeOnce,
}

// noticeOnce prints noProfile on the standard error, where go test shows
// it without -v, once per test binary.
var noticeOnce = sync.OnceFunc(func() { fmt.Fprintln(os.Stderr, noProfile) })

// A watched test is the test a Check call is for.
type watched struct {
	name string // the test's name, the value of its label
	root int64  // the test's goroutine
	// missingSaid is set once the test has been told that the profile is
	// missing, so that its later checks do not say it again.
	missingSaid bool
}

// startedSome reports whether the test's goroutine has started goroutines
// that are alive in all, directly or through others: whether the test has
// begun.
func (w *watched) startedSome(all []leakcheck.Goroutine) bool {
	descends := descendsFrom(all, w.root)
	for _, g := range all {
		if g.ID != w.root && createdBy(g, descends) {
			return true
		}
	}
	return false
}

// profileMissing reports whether the binary lacks the profile, and says
// so, once per test.
func (w *watched) profileMissing(t testing.TB, src goroutineSource) bool {
	t.Helper()
	if src.hasProfile() {
		return false
	}
	if !w.missingSaid {
		w.missingSaid = true
		if failure := missingProfile(src.notice); failure != "" {
			t.Error(failure)
		}
	}
	return true
}

// check fails t if goroutines that w owns have leaked. It writes the
// profile only if w owns a goroutine at all.
func (w *watched) check(t testing.TB, src goroutineSource) {
	t.Helper()
	if w.profileMissing(t, src) || len(w.owned(src.alive())) == 0 {
		return
	}
	all, err := src.profile()
	if err != nil {
		t.Errorf("leaktest: %v", err)
		return
	}
	leaked := slices.DeleteFunc(w.owned(all), func(g leakcheck.Goroutine) bool { return !g.Leaked })
	if leaks := claim(leaked); len(leaks) > 0 {
		t.Error(report(t.Name(), leaks))
	}
}

// missingProfile says that the profile is missing: it returns the
// failure to report when RequireProfileEnv asks for the profile, else it
// calls notice and returns "".
func missingProfile(notice func()) (failure string) {
	required, err := profileRequiredByEnv()
	switch {
	case err != nil:
		return err.Error()
	case required:
		return profileRequired
	}
	notice()
	return ""
}

// profileRequiredByEnv reads RequireProfileEnv.
func profileRequiredByEnv() (bool, error) {
	value := os.Getenv(RequireProfileEnv)
	if value == "" {
		return false, nil
	}
	required, err := strconv.ParseBool(value)
	if err != nil {
		return false, fmt.Errorf("leaktest: %s=%q: want 1 to require the goroutineleak profile, 0 or unset not to", RequireProfileEnv, value)
	}
	return required, nil
}

// run is Main with the goroutines' source as an argument. It returns the exit code
// and what to print.
func run(m interface{ Run() int }, src goroutineSource) (int, string) {
	before := map[int64]bool{}
	all, err := src.profile()
	for _, g := range all {
		if g.Leaked {
			before[g.ID] = true
		}
	}
	if errors.Is(err, leakcheck.ErrNoProfile) {
		// The notice comes first, where it is read before the tests'
		// output; a failure comes after it, with the verdict.
		failure := missingProfile(src.notice)
		code := m.Run()
		if failure != "" {
			return max(code, 1), failure
		}
		return code, ""
	}
	code := m.Run()
	if err == nil && code == 0 {
		// As goleak does, leaks are looked for only after the tests
		// passed: a failing test often abandons goroutines on its way out.
		all, err = src.profile()
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

// owned returns the goroutines of all, leaked or not, that belong to w's
// test: those labelled with its name or a subtest's, and those its
// goroutine created, directly or through goroutines it created, which
// owned follows through the creators of the goroutines in all, which are
// alive, and through the ancestors the runtime recorded under
// GODEBUG=tracebackancestors, which may have exited.
func (w *watched) owned(all []leakcheck.Goroutine) []leakcheck.Goroutine {
	var mine []leakcheck.Goroutine
	descends := descendsFrom(all, w.root)
	for _, g := range all {
		if g.ID == w.root {
			continue
		}
		if label, ok := g.Labels[labelKey]; ok && (label == w.name || strings.HasPrefix(label, w.name+"/")) {
			mine = append(mine, g)
			continue
		}
		if createdBy(g, descends) {
			mine = append(mine, g)
		}
	}
	return mine
}

// createdBy reports whether g's creator, or one of the ancestors the
// runtime recorded, descends from the root of descends.
func createdBy(g leakcheck.Goroutine, descends func(int64) bool) bool {
	for _, id := range append([]int64{g.Creator}, g.Ancestors...) {
		if descends(id) {
			return true
		}
	}
	return false
}

// descendsFrom returns whether a goroutine is root or descends from it
// through the live goroutines of all.
func descendsFrom(all []leakcheck.Goroutine, root int64) func(id int64) bool {
	creator := make(map[int64]int64, len(all))
	for _, g := range all {
		creator[g.ID] = g.Creator
	}
	return func(id int64) bool {
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
