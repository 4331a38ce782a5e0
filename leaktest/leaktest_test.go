package leaktest

import (
	"errors"
	"fmt"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"

	"github.com/goroutineleak/goroutineleak/internal/leakcheck"
)

// recorder is a testing.TB that records what Check says instead of
// failing the test that runs it.
type recorder struct {
	testing.TB
	logs, errors []string
}

func (r *recorder) Helper()           {}
func (r *recorder) Name() string      { return "TestRecorded" }
func (r *recorder) Log(args ...any)   { r.logs = append(r.logs, fmt.Sprint(args...)) }
func (r *recorder) Error(args ...any) { r.errors = append(r.errors, fmt.Sprint(args...)) }
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// resetReported empties the record of reported leaks for a test that fakes
// goroutine IDs, and again when it ends.
func resetReported(t *testing.T) {
	reset := func() {
		reported.Lock()
		reported.ids = nil
		reported.Unlock()
	}
	reset()
	t.Cleanup(reset)
}

func fake(gs ...leakcheck.Goroutine) profileFunc {
	return func() ([]leakcheck.Goroutine, error) { return gs, nil }
}

func leaked(id, creator int64, ancestors ...int64) leakcheck.Goroutine {
	return leakcheck.Goroutine{
		ID: id, Creator: creator, Ancestors: ancestors, Leaked: true, Reason: "chan send",
		Blocked:   leakcheck.Frame{Function: "p.f.func1", File: "/src/p/p.go", Line: 12},
		CreatedBy: leakcheck.Frame{Function: "p.f", File: "/src/p/p.go", Line: 11},
	}
}

func alive(id, creator int64) leakcheck.Goroutine {
	return leakcheck.Goroutine{ID: id, Creator: creator, Reason: "chan receive"}
}

func ids(gs []leakcheck.Goroutine) []int64 {
	var ids []int64
	for _, g := range gs {
		ids = append(ids, g.ID)
	}
	return ids
}

// TestOwned checks what is attributed to the test whose goroutine is 10.
func TestOwned(t *testing.T) {
	all := []leakcheck.Goroutine{
		alive(10, 1),           // the test
		alive(20, 1),           // a test running beside it
		leaked(11, 10),         // the test's
		leaked(12, 11),         // created by the test's leaked goroutine
		alive(13, 10),          // alive, the test's
		leaked(14, 13),         // created by the test's live goroutine
		leaked(15, 99),         // by a goroutine that has exited: whose?
		leaked(16, 99, 99, 10), // the same, with the ancestors recorded
		leaked(17, 20),         // the other test's
		leaked(18, 99, 99, 20), // the other test's, through an exited goroutine
		leaked(5, 1),           // leaked before the test started
	}
	got := ids(owned(all, 10))
	want := []int64{11, 12, 14, 16}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("owned by 10: %v, want %v", got, want)
	}
	if got := ids(owned(all, 20)); fmt.Sprint(got) != "[17 18]" {
		t.Errorf("owned by 20: %v, want [17 18]", got)
	}
}

func TestCheckReports(t *testing.T) {
	resetReported(t)
	profile := fake(alive(10, 1), leaked(11, 10), leaked(12, 1))
	var r recorder
	check(&r, profile, 10)
	if len(r.errors) != 1 {
		t.Fatalf("errors %q, want one report", r.errors)
	}
	for _, want := range []string{
		"leaktest: TestRecorded leaked 1 goroutine",
		"goroutine 11 [chan send]:\n\tblocked at /src/p/p.go:12 (p.f.func1)\n\tcreated at /src/p/p.go:11 (p.f)\n\tfix: nothing will receive",
		"goroutineleak ./...",
	} {
		if !strings.Contains(r.errors[0], want) {
			t.Errorf("report lacks %q:\n%s", want, r.errors[0])
		}
	}
	// A leak is reported once.
	r = recorder{}
	check(&r, profile, 10)
	if len(r.errors) != 0 {
		t.Errorf("reported again: %q", r.errors)
	}
}

// TestCheckNoProfile covers a binary without the profile on every
// toolchain: one log line, no failure.
func TestCheckNoProfile(t *testing.T) {
	var r recorder
	check(&r, func() ([]leakcheck.Goroutine, error) { return nil, leakcheck.ErrNoProfile }, 10)
	if len(r.errors) != 0 || len(r.logs) != 1 || r.logs[0] != noProfile {
		t.Errorf("errors %q, logs %q; want only the log line %q", r.errors, r.logs, noProfile)
	}
}

// TestCheckHere runs Check in this test binary, which leaks nothing: with
// the profile it reports nothing, without it it logs one line.
func TestCheckHere(t *testing.T) {
	var r recorder
	r.TB = t
	Check(&r)
	if len(r.errors) != 0 {
		t.Errorf("errors: %q", r.errors)
	}
	hasProfile := pprof.Lookup("goroutineleak") != nil
	if want := 1; !hasProfile && len(r.logs) != want {
		t.Errorf("without the profile, logs %q, want the one line", r.logs)
	}
	if hasProfile && len(r.logs) != 0 {
		t.Errorf("with the profile, logs %q, want none", r.logs)
	}
}

type fakeM struct {
	code int
	ran  bool
}

func (m *fakeM) Run() int { m.ran = true; return m.code }

// TestRun checks Main's decisions with faked profiles.
func TestRun(t *testing.T) {
	resetReported(t)
	claim([]leakcheck.Goroutine{leaked(7, 3)}) // reported by a Check
	calls := 0
	profile := func() ([]leakcheck.Goroutine, error) {
		calls++
		if calls == 1 {
			return []leakcheck.Goroutine{leaked(5, 1)}, nil
		}
		return []leakcheck.Goroutine{leaked(5, 1), leaked(7, 3), leaked(8, 3)}, nil
	}
	m := &fakeM{}
	code, got := run(m, profile)
	if code != 1 || !m.ran {
		t.Errorf("run = %d (tests ran: %v), want 1 for the new leak", code, m.ran)
	}
	if !strings.Contains(got, "leaktest: the tests of this package leaked 1 goroutine") ||
		!strings.Contains(got, "goroutine 8 [") || strings.Contains(got, "goroutine 5 [") || strings.Contains(got, "goroutine 7 [") {
		t.Errorf("report of 8 only wanted:\n%s", got)
	}

	// Failed tests: their code, and no second profile.
	calls = 0
	if code, out := run(&fakeM{code: 2}, profile); code != 2 || calls != 1 || out != "" {
		t.Errorf("failed tests: run = %d after %d profiles, output %q; want 2 after 1, none", code, calls, out)
	}

	// No profile: the tests' code.
	none := func() ([]leakcheck.Goroutine, error) { return nil, leakcheck.ErrNoProfile }
	if code, out := run(&fakeM{}, none); code != 0 || strings.Contains(out, "leaked") {
		t.Errorf("no profile: run = %d, output %q; want 0", code, out)
	}

	// Another error fails the run.
	broken := func() ([]leakcheck.Goroutine, error) { return nil, errors.New("broken") }
	if code, out := run(&fakeM{}, broken); code != 1 || !strings.Contains(out, "broken") {
		t.Errorf("broken profile: run = %d, output %q; want 1 and the error", code, out)
	}
}

func TestCurrentID(t *testing.T) {
	here := currentID()
	var there int64
	var wg sync.WaitGroup
	wg.Go(func() { there = currentID() })
	wg.Wait()
	if here <= 0 || there <= 0 || here == there {
		t.Errorf("currentID: %d here, %d in another goroutine", here, there)
	}
}
