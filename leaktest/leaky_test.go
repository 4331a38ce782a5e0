package leaktest

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goroutineleak/goroutineleak/internal/leakcheck/leakchecktest"
)

// The tests below build the test packages under testdata, which leak on
// purpose, into test binaries and run them: they fail by design. Each line
// marked "// TestName leaks here" is where leaktest must report that test's
// goroutine blocked.

// TestLeakyTests runs the tests of testdata/leaky, built with the
// goroutineleak profile, one at a time.
func TestLeakyTests(t *testing.T) {
	defer Check(t)
	exe, marks := leakyTests(t, "leaky")
	for _, c := range []struct {
		run    string
		env    []string
		reason map[string]string // test -> wait reason of its leak; the others must pass
		output string            // also expected in the output
	}{
		{run: "TestSendNoReader", reason: map[string]string{"TestSendNoReader": "chan send"}},
		{run: "TestReceiveNoSender", reason: map[string]string{"TestReceiveNoSender": "chan receive"}},
		{run: "TestMutexNeverUnlocked", reason: map[string]string{"TestMutexNeverUnlocked": "sync.Mutex.Lock"}},
		// goleak fails this one.
		{run: "TestSlowGoroutines"},
		// The directive on the line above the send is quoted.
		{run: "TestIgnored", reason: map[string]string{"TestIgnored": "chan send"},
			output: "leaky_test.go:" + strconv.Itoa(marks["TestIgnored"]-1) + " silences it: //goroutineleak:ignore the harness reads it, someone said"},
		// The goroutine that started the leaking one has exited: without
		// the ancestors the runtime records on demand, the leak is not the
		// test's.
		{run: "TestGrandchild"},
		{run: "TestGrandchild", env: []string{"GODEBUG=tracebackancestors=10"}, reason: map[string]string{"TestGrandchild": "chan send"}},
		// The clean subtest checks while the leaking one, which it runs
		// beside, has leaked and is still running.
		{run: "TestParallel", reason: map[string]string{"TestParallel/leaks": "chan send"}},
	} {
		name := strings.Join(append([]string{c.run}, c.env...), " ")
		t.Run(name, func(t *testing.T) {
			out, exitErr := runTests(t, exe, c.env, "-test.run=^"+c.run+"$", "-test.parallel=2")
			if (exitErr == nil) != (len(c.reason) == 0) {
				t.Errorf("exit status %v, want failure only for a leak; output:\n%s", exitErr, out)
			}
			for test, reason := range c.reason {
				wantLeak(t, out, test, reason, marks[test])
			}
			if got, want := strings.Count(out, "\tblocked at "), len(c.reason); got != want {
				t.Errorf("%d leaks reported, want %d; output:\n%s", got, want, out)
			}
			if !strings.Contains(out, c.output) {
				t.Errorf("output lacks %q:\n%s", c.output, out)
			}
		})
	}
}

// TestMainLeaks runs the tests of testdata/leakymain, whose TestMain calls
// Main, built with the goroutineleak profile.
func TestMainLeaks(t *testing.T) {
	defer Check(t)
	exe, marks := leakyTests(t, "leakymain")

	if out, err := runTests(t, exe, nil, "-test.run=^TestClean$"); err != nil || strings.Contains(out, "leaktest") {
		t.Errorf("no leak: exit status %v, output:\n%s", err, out)
	}

	// A leak no Check saw fails the package after its tests passed.
	out, err := runTests(t, exe, nil, "-test.run=^(TestClean|TestLeaksUnchecked)$")
	if err == nil || !strings.Contains(out, "leaktest: the tests of this package leaked 1 goroutine") {
		t.Errorf("unchecked leak: exit status %v, want a report of the package; output:\n%s", err, out)
	}
	wantLeak(t, out, "", "chan receive", marks["TestLeaksUnchecked"])

	// A leak a Check reported fails its test; Main does not report it again.
	out, err = runTests(t, exe, nil, "-test.run=^TestLeaksChecked$")
	if err == nil || strings.Count(out, "\tblocked at ") != 1 {
		t.Errorf("checked leak: exit status %v, want one report; output:\n%s", err, out)
	}
	wantLeak(t, out, "TestLeaksChecked", "chan receive", marks["TestLeaksChecked"])
}

// TestWithoutProfile runs the tests of testdata/leaky built by the go
// command as it is, without the experiment: by Go 1.26 that is a binary
// without the profile, whose tests must all pass, each saying in one line
// that it checked nothing.
func TestWithoutProfile(t *testing.T) {
	defer Check(t)
	if testing.Short() {
		t.Skip("builds and runs a test binary; skipped with -short")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skipf("no go command: %v", err)
	}
	exe := buildTests(t, leakchecktest.PlainEnv(), "leaky")
	out, err := runTests(t, exe, nil, "-test.parallel=2")
	if !strings.Contains(out, noProfile) {
		t.Skip("this toolchain builds the profile in (Go 1.27 and later), and the leaky tests fail by design; TestCheckNoProfile covers the path without it")
	}
	if err != nil {
		t.Errorf("exit status %v, want success without the profile:\n%s", err, out)
	}
	// One line per Check: TestParallel has two, each of the others one.
	checks := strings.Count(readFile(t, filepath.Join("testdata", "leaky", "leaky_test.go")), "defer leaktest.Check(t)")
	if got := strings.Count(out, noProfile); got != checks {
		t.Errorf("%d lines saying the profile is missing, want %d (one per Check):\n%s", got, checks, out)
	}
}

// leakyTests builds the test binary of testdata/<pkg> with the
// goroutineleak profile, and reads the lines its sources mark.
func leakyTests(t *testing.T, pkg string) (exe string, marks map[string]int) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs a test binary with the goroutineleak profile; skipped with -short")
	}
	return buildTests(t, leakchecktest.ProfileEnv(t), pkg), leakMarks(t, pkg)
}

// buildTests builds the test binary of testdata/<pkg> under env.
func buildTests(t *testing.T, env []string, pkg string) string {
	t.Helper()
	exe := filepath.Join(t.TempDir(), pkg+".test")
	args := []string{"test", "-c", "-o", exe, "./testdata/" + pkg}
	if out, err := leakchecktest.GoCommand(env, args...).CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return exe
}

// runTests runs a test binary verbosely, with env added to the test's
// environment, and returns its output and its exit error.
func runTests(t *testing.T, exe string, env []string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, append([]string{"-test.v", "-test.count=1", "-test.timeout=1m"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if ee := (*exec.ExitError)(nil); err != nil && !errors.As(err, &ee) {
		t.Fatalf("%s: %v", filepath.Base(exe), err)
	}
	return string(out), err
}

// wantLeak checks that the output reports a goroutine of test (the
// package's, if test is "") blocked at line of its source for reason.
func wantLeak(t *testing.T, out, test, reason string, line int) {
	t.Helper()
	if line == 0 {
		t.Fatalf("no line marked %q", test+" leaks here")
	}
	who := test
	if test == "" {
		who = "the tests of this package"
	} else if !strings.Contains(out, "--- FAIL: "+test+" ") {
		t.Errorf("%s did not fail:\n%s", test, out)
	}
	block := regexp.MustCompile(`leaktest: ` + regexp.QuoteMeta(who) + ` leaked 1 goroutine.*\n\s*\n\s*goroutine \d+ \[` +
		regexp.QuoteMeta(reason) + `\]:\n\s*blocked at \S+_test\.go:` + strconv.Itoa(line) + ` \(`)
	if !block.MatchString(out) {
		t.Errorf("no report of %s's goroutine blocked at line %d [%s]:\n%s", who, line, reason, out)
	}
}

// leakMarks maps the tests of testdata/<pkg> to the lines marked
// "// TestName leaks here".
func leakMarks(t *testing.T, pkg string) map[string]int {
	t.Helper()
	mark := regexp.MustCompile(`// (\S+) leaks here$`)
	marks := map[string]int{}
	files, err := filepath.Glob(filepath.Join("testdata", pkg, "*_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		sc := bufio.NewScanner(strings.NewReader(readFile(t, file)))
		for line := 1; sc.Scan(); line++ {
			if m := mark.FindStringSubmatch(sc.Text()); m != nil {
				marks[m[1]] = line
			}
		}
	}
	return marks
}

func readFile(t *testing.T, file string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
