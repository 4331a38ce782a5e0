package leaktest

import (
	"errors"
	"fmt"
	"slices"
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

// fake is a goroutine source whose profile returns gs, and whose cheap
// list of goroutines returns them too, none leaked.
func fake(gs ...leakcheck.Goroutine) goroutineSource {
	return goroutineSource{
		alive: func() []leakcheck.Goroutine {
			var alive []leakcheck.Goroutine
			for _, g := range gs {
				g.Leaked = false
				alive = append(alive, g)
			}
			return alive
		},
		profile:    func() ([]leakcheck.Goroutine, error) { return gs, nil },
		hasProfile: func() bool { return true },
		notice:     func() { panic("notice of a missing profile with a profile") },
	}
}

// noProfileSource returns the goroutine source of a binary without the
// profile, which counts its notices.
func noProfileSource(notices *int) goroutineSource {
	return goroutineSource{
		alive:      fake(alive(10, 1), alive(11, 10)).alive,
		profile:    func() ([]leakcheck.Goroutine, error) { return nil, leakcheck.ErrNoProfile },
		hasProfile: func() bool { return false },
		notice:     func() { *notices++ },
	}
}

func labelled(g leakcheck.Goroutine, test string) leakcheck.Goroutine {
	g.Labels = map[string]string{labelKey: test}
	return g
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

// TestOwned checks what is attributed to the test whose goroutine is 10,
// and to its parallel neighbour, whose goroutine is 20.
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
		// Labelled by Check: the test's, whatever their creators.
		labelled(leaked(31, 99), "TestA"),     // the test's
		labelled(leaked(32, 20), "TestA/sub"), // its subtest's
		labelled(leaked(33, 99), "TestAB"),    // another test's
		labelled(alive(34, 99), "TestA"),      // alive, the test's
	}
	leakedOnly := func(gs []leakcheck.Goroutine) []leakcheck.Goroutine {
		return slices.DeleteFunc(gs, func(g leakcheck.Goroutine) bool { return !g.Leaked })
	}
	a := &watched{name: "TestA", root: 10}
	if got, want := ids(leakedOnly(a.owned(all))), "[11 12 14 16 31 32]"; fmt.Sprint(got) != want {
		t.Errorf("leaked, owned by TestA: %v, want %v", got, want)
	}
	if got, want := ids(a.owned(all)), "[11 12 13 14 16 31 32 34]"; fmt.Sprint(got) != want {
		t.Errorf("owned by TestA: %v, want %v", got, want)
	}
	b := &watched{name: "TestB", root: 20}
	if got, want := ids(leakedOnly(b.owned(all))), "[17 18 32]"; fmt.Sprint(got) != want {
		t.Errorf("leaked, owned by TestB: %v, want %v (32 by its creator)", got, want)
	}
	if got := ids((&watched{name: "TestA", root: 40}).owned(all[:len(all)-4])); got != nil {
		t.Errorf("a test without goroutines owns %v", got)
	}
}

// TestStartedSome checks how Check tells that the test of goroutine 10
// has begun, and so that it was deferred.
func TestStartedSome(t *testing.T) {
	w := &watched{name: "TestA", root: 10}
	for _, c := range []struct {
		all  []leakcheck.Goroutine
		want bool
	}{
		{[]leakcheck.Goroutine{alive(1, 0), alive(10, 1), alive(20, 1)}, false},
		{[]leakcheck.Goroutine{alive(10, 1), labelled(leaked(31, 99), "TestA")}, false}, // an earlier run's leak
		{[]leakcheck.Goroutine{alive(10, 1), alive(11, 10)}, true},
		{[]leakcheck.Goroutine{alive(10, 1), alive(11, 10), leaked(12, 11)}, true},
		{[]leakcheck.Goroutine{alive(10, 1), leaked(16, 99, 99, 10)}, true}, // by its recorded ancestors
	} {
		if got := w.startedSome(c.all); got != c.want {
			t.Errorf("startedSome(%v) = %v, want %v", ids(c.all), got, c.want)
		}
	}
}

func TestCheckReports(t *testing.T) {
	resetReported(t)
	profile := fake(alive(10, 1), leaked(11, 10), leaked(12, 1))
	var r recorder
	w := &watched{name: "TestRecorded", root: 10}
	w.check(&r, profile)
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
	w.check(&r, profile)
	if len(r.errors) != 0 {
		t.Errorf("reported again: %q", r.errors)
	}

	// A test without goroutines of its own gets no profile written.
	r = recorder{}
	noProfile := fake(alive(20, 1), leaked(21, 1))
	noProfile.profile = func() ([]leakcheck.Goroutine, error) {
		t.Error("profile written for a test that owns no goroutine")
		return nil, nil
	}
	(&watched{name: "TestRecorded", root: 20}).check(&r, noProfile)
	if len(r.errors) != 0 {
		t.Errorf("errors: %q", r.errors)
	}
}

// TestCheckNoProfile covers a binary without the profile on every
// toolchain: no failure, unless RequireProfileEnv asks for the profile;
// then one per test, however many times it checks.
func TestCheckNoProfile(t *testing.T) {
	for _, c := range []struct {
		env  string
		want string // the test's one error, if any
	}{
		{"", ""},
		{"0", ""},
		{"1", profileRequired},
		{"true", profileRequired},
		{"maybe", `leaktest: LEAKTEST_REQUIRE_PROFILE="maybe": want 1 to require the goroutineleak profile, 0 or unset not to`},
	} {
		t.Setenv(RequireProfileEnv, c.env)
		var r recorder
		notices := 0
		w := &watched{name: "TestRecorded", root: 10}
		w.check(&r, noProfileSource(&notices)) // as the test's first statement
		w.check(&r, noProfileSource(&notices)) // in its cleanup
		if len(r.logs) != 0 || c.want == "" && len(r.errors) != 0 || c.want != "" && fmt.Sprint(r.errors) != fmt.Sprint([]string{c.want}) {
			t.Errorf("%s=%s: errors %q, logs %q; want the error %q only", RequireProfileEnv, c.env, r.errors, r.logs, c.want)
		}
		if wantNotices := map[bool]int{true: 1}[c.want == ""]; notices != wantNotices {
			t.Errorf("%s=%s: %d notices, want %d", RequireProfileEnv, c.env, notices, wantNotices)
		}
	}
}

// TestCheckHere runs Check in this test binary, which leaks nothing: it
// reports nothing, with the profile or without it.
func TestCheckHere(t *testing.T) {
	var r recorder
	r.TB = t
	Check(&r)
	if len(r.errors) != 0 || len(r.logs) != 0 {
		t.Errorf("errors %q, logs %q; want none", r.errors, r.logs)
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
	code, got := run(m, goroutineSource{profile: profile})
	if code != 1 || !m.ran {
		t.Errorf("run = %d (tests ran: %v), want 1 for the new leak", code, m.ran)
	}
	if !strings.Contains(got, "leaktest: the tests of this package passed, but leaked 1 goroutine that no Check reported: ") ||
		!strings.Contains(got, "goroutine 8 [") || strings.Contains(got, "goroutine 5 [") || strings.Contains(got, "goroutine 7 [") {
		t.Errorf("report of 8 only wanted:\n%s", got)
	}

	// Failed tests: their code, and no second profile.
	calls = 0
	if code, out := run(&fakeM{code: 2}, goroutineSource{profile: profile}); code != 2 || calls != 1 || out != "" {
		t.Errorf("failed tests: run = %d after %d profiles, output %q; want 2 after 1, none", code, calls, out)
	}

	// No profile: the tests' code, unless the profile is required.
	notices := 0
	none := noProfileSource(&notices)
	if code, out := run(&fakeM{}, none); code != 0 || out != "" {
		t.Errorf("no profile: run = %d, output %q; want 0", code, out)
	}
	if notices != 1 {
		t.Errorf("no profile: %d notices, want 1", notices)
	}
	t.Setenv(RequireProfileEnv, "1")
	if code, out := run(&fakeM{}, none); code != 1 || out != profileRequired {
		t.Errorf("no profile, required: run = %d, output %q; want 1 and %q", code, out, profileRequired)
	}
	if code, out := run(&fakeM{code: 2}, none); code != 2 || out != profileRequired {
		t.Errorf("no profile, required, tests failed: run = %d, output %q; want 2 and %q", code, out, profileRequired)
	}
	t.Setenv(RequireProfileEnv, "")

	// Another error fails the run.
	broken := func() ([]leakcheck.Goroutine, error) { return nil, errors.New("broken") }
	if code, out := run(&fakeM{}, goroutineSource{profile: broken}); code != 1 || !strings.Contains(out, "broken") {
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
