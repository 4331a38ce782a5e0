package leaktest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
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

// A leakyCase runs some of the tests of a test binary and says which must
// fail for a leak.
type leakyCase struct {
	run    string
	env    []string
	reason map[string]string // test -> wait reason of its leak; the others must pass
	output string            // also expected in the output
}

// TestLeakyTests runs the tests of testdata/leaky, which defer Check,
// built with the goroutineleak profile, one at a time.
func TestLeakyTests(t *testing.T) {
	defer Check(t)
	exe, marks := leakyTests(t, "leaky")
	runLeakyCases(t, exe, marks, []leakyCase{
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
	})
}

// TestLabelledTests runs the tests of testdata/labelled, which call Check
// as their first statement, built with the goroutineleak profile, without
// GODEBUG=tracebackancestors: the label attributes every leak, however
// its creators have exited.
func TestLabelledTests(t *testing.T) {
	Check(t)
	exe, marks := leakyTests(t, "labelled")
	runLeakyCases(t, exe, marks, []leakyCase{
		// Started by a goroutine started by the test, which has exited.
		{run: "TestGrandchild", reason: map[string]string{"TestGrandchild": "chan send"}},
		// Started by a subtest, leaked once the subtest has exited.
		{run: "TestSubtestOutlived", reason: map[string]string{"TestSubtestOutlived": "chan send"}},
		{run: "TestSubtestChecked", reason: map[string]string{"TestSubtestChecked": "chan send"},
			output: "\tstarted by TestSubtestChecked/starts\n"},
		// Side by side: only the leaking one is blamed.
		{run: "TestParallel(Leaks|Clean)", reason: map[string]string{"TestParallelLeaks": "chan receive"},
			output: "--- PASS: TestParallelClean "},
		// All at once.
		{run: ".*", reason: map[string]string{
			"TestGrandchild":      "chan send",
			"TestSubtestOutlived": "chan send",
			"TestSubtestChecked":  "chan send",
			"TestParallelLeaks":   "chan receive",
		}, output: "--- PASS: TestParallelClean "},
	})
}

// runLeakyCases runs each case's tests in exe, two at a time, and checks
// that exactly the tests it names fail, for the leaks marked in marks.
func runLeakyCases(t *testing.T, exe string, marks map[string]int, cases []leakyCase) {
	t.Helper()
	for _, c := range cases {
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
	if err == nil || !strings.Contains(out, "leaktest: the tests of this package passed, but leaked 1 goroutine that no Check reported") {
		t.Errorf("unchecked leak: exit status %v, want a report of the package; output:\n%s", err, out)
	}
	wantLeak(t, out, "", "chan receive", marks["TestLeaksUnchecked"])
	// The report that says the tests passed, and FAIL last. Where the
	// output is read through a pipe, as here, the report replaces the
	// testing package's PASS (TestMainVerdict has the details).
	if !regexp.MustCompile(`(?s)\n--- PASS: TestLeaksUnchecked .*\nleaktest: the tests of this package passed, but .*\nFAIL\n$`).MatchString(out) ||
		verdictHeld && strings.Contains(out, "\nPASS\n") {
		t.Errorf("unchecked leak: want the report, then FAIL last; output:\n%s", out)
	}

	// A leak a Check reported fails its test; Main does not report it again.
	out, err = runTests(t, exe, nil, "-test.run=^TestLeaksChecked$")
	if err == nil || strings.Count(out, "\tblocked at ") != 1 {
		t.Errorf("checked leak: exit status %v, want one report; output:\n%s", err, out)
	}
	wantLeak(t, out, "TestLeaksChecked", "chan receive", marks["TestLeaksChecked"])
}

// TestWithoutProfile runs test binaries built by the go command as it is,
// without the experiment: by Go 1.26 they have no profile. Run without -v,
// as go test runs them, their tests pass, and the binary says once, on its
// standard error, that nothing was checked and what to do. With
// LEAKTEST_REQUIRE_PROFILE=1 every test that calls Check fails instead,
// and so does Main when the tests pass.
func TestWithoutProfile(t *testing.T) {
	defer Check(t)
	if testing.Short() {
		t.Skip("builds and runs test binaries; skipped with -short")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skipf("no go command: %v", err)
	}
	require := []string{RequireProfileEnv + "=1"}

	// Main alone, with a test that calls no Check.
	exe := buildTests(t, leakchecktest.PlainEnv(), "leakymain")
	stdout, stderr, err := runQuietly(t, exe, nil, "-test.run=^TestClean$")
	if !strings.Contains(stderr, noProfile) {
		t.Skipf("this toolchain builds the profile in (Go 1.27 and later); TestCheckNoProfile covers the path without it:\n%s%s", stdout, stderr)
	}
	if err != nil || strings.Count(stderr, noProfile) != 1 || stdout != "PASS\n" {
		t.Errorf("Main: exit status %v, want success, PASS on the standard output and the notice once on the standard error:\n%s\nstandard error:\n%s", err, stdout, stderr)
	}
	stdout, stderr, err = runQuietly(t, exe, require, "-test.run=^TestClean$")
	// PASS is replaced where it can be held back; elsewhere the error
	// says that it is overridden.
	if want := map[bool]string{true: "FAIL\n", false: "PASS\nFAIL\n"}[verdictHeld]; err == nil || !strings.HasPrefix(stderr, profileRequired+"\n") || stdout != want {
		t.Errorf("Main, %s=1: exit status %v, want failure, the error, and FAIL last:\n%s\nstandard error:\n%s", RequireProfileEnv, err, stdout, stderr)
	}

	for _, pkg := range []string{"leaky", "labelled", "leakymain"} {
		t.Run(pkg, func(t *testing.T) {
			exe := buildTests(t, leakchecktest.PlainEnv(), pkg)
			stdout, stderr, err := runQuietly(t, exe, nil, "-test.parallel=2")
			if err != nil || strings.Count(stderr, noProfile) != 1 || stdout != "PASS\n" {
				t.Errorf("exit status %v, want success, PASS on the standard output and the notice once on the standard error:\n%s\nstandard error:\n%s", err, stdout, stderr)
			}

			stdout, stderr, err = runQuietly(t, exe, require, "-test.parallel=2")
			if err == nil || strings.Contains(stderr, noProfile) {
				t.Errorf("%s=1: exit status %v, want failure, and no notice:\n%s\nstandard error:\n%s", RequireProfileEnv, err, stdout, stderr)
			}
			checkCall := regexp.MustCompile(`(?m)^\s+(defer )?leaktest\.Check\(t\)$`)
			checks := len(checkCall.FindAllString(readFile(t, filepath.Join("testdata", pkg, pkg+"_test.go")), -1))
			if pkg == "leakymain" {
				checks++ // Main says it too
			}
			if got := strings.Count(stdout+stderr, profileRequired); got != checks {
				t.Errorf("%s=1: %d failures for the missing profile, want %d, one per Check:\n%s\nstandard error:\n%s", RequireProfileEnv, got, checks, stdout, stderr)
			}
		})
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
	var out bytes.Buffer
	err := runTestBinary(t, exe, env, &out, &out, append([]string{"-test.v"}, args...)...)
	return out.String(), err
}

// runQuietly runs a test binary as go test does without -v, and returns
// its standard output and standard error apart.
func runQuietly(t *testing.T, exe string, env []string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = runTestBinary(t, exe, env, &out, &errOut, args...)
	return out.String(), errOut.String(), err
}

// runTestBinary runs a test binary once with env added to the test's
// environment, and returns its exit error.
func runTestBinary(t *testing.T, exe string, env []string, stdout, stderr io.Writer, args ...string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, append([]string{"-test.count=1", "-test.timeout=1m"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	if ee := (*exec.ExitError)(nil); err != nil && !errors.As(err, &ee) {
		t.Fatalf("%s: %v", filepath.Base(exe), err)
	}
	return err
}

// wantLeak checks that the output reports a goroutine of test (the
// package's, if test is "") blocked at line of its source for reason.
func wantLeak(t *testing.T, out, test, reason string, line int) {
	t.Helper()
	if line == 0 {
		t.Fatalf("no line marked %q", test+" leaks here")
	}
	who := regexp.QuoteMeta(test) + ` leaked 1 goroutine`
	if test == "" {
		who = `the tests of this package passed, but leaked 1 goroutine`
	} else if !strings.Contains(out, "--- FAIL: "+test+" ") {
		t.Errorf("%s did not fail:\n%s", test, out)
	}
	block := regexp.MustCompile(`leaktest: ` + who + `.*\n\s*\n\s*goroutine \d+ \[` +
		regexp.QuoteMeta(reason) + `\]:\n\s*blocked at \S+_test\.go:` + strconv.Itoa(line) + ` \(`)
	if !block.MatchString(out) {
		t.Errorf("no report of a goroutine of %q blocked at line %d [%s]:\n%s", test, line, reason, out)
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
