package leaktest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/goroutineleak/goroutineleak/internal/leakcheck/leakchecktest"
	"github.com/goroutineleak/goroutineleak/leaktest/internal/verdictfilter"
)

// TestFilterProcess runs this test binary, which imports leaktest, as the filter, as leaktest does
// the test binary of a package that calls Main: it filters, acknowledges
// the token, and exits in its init before package os, and so before any
// package that prints or opens anything, is initialised.
func TestFilterProcess(t *testing.T) {
	ackRead, ackWrite, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ackRead.Close() }()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), verdictfilter.EnvKey+"=n0nce", "GODEBUG=inittrace=1")
	cmd.Stdin = strings.NewReader("--- PASS: TestA\nPASS\ncoverage: 1%\nleaktest: report\nFAIL\n" + string(verdictfilter.Token("n0nce", true)) + "after\n")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.ExtraFiles = []*os.File{ackWrite}
	err = cmd.Run()
	_ = ackWrite.Close() // the filter holds its own copy
	if err != nil {
		t.Fatalf("filter: %v\n%s", err, stderr.String())
	}
	if want := "--- PASS: TestA\ncoverage: 1%\nleaktest: report\nFAIL\nafter\n"; stdout.String() != want {
		t.Errorf("filter wrote %q, want %q", stdout.String(), want)
	}
	if ack, _ := io.ReadAll(ackRead); string(ack) != "." {
		t.Errorf("acknowledged %q, want %q", ack, ".")
	}
	if !strings.Contains(stderr.String(), "init syscall @") {
		t.Fatalf("no init trace:\n%s", stderr.String())
	}
	if strings.Contains(stderr.String(), "init os @") {
		t.Errorf("package os was initialised before the filter ran:\n%s", stderr.String())
	}
}

func TestOpenedForReading(t *testing.T) {
	for fdinfo, want := range map[string]bool{
		"pos:\t0\nflags:\t0100000\nmnt_id:\t15\nino:\t12345\n": true,  // O_RDONLY|O_LARGEFILE
		"pos:\t0\nflags:\t02000001\nmnt_id:\t15\n":             false, // O_WRONLY|O_CLOEXEC
		"pos:\t0\nflags:\t02\n":                                false, // O_RDWR
		"pos:\t0\n":                                            false,
	} {
		if got := openedForReading(fdinfo); got != want {
			t.Errorf("openedForReading(%q) = %v, want %v", fdinfo, got, want)
		}
	}
}

// mainReport starts Main's report of the leak of testdata/leakymain's
// TestLeaksUnchecked.
const mainReport = "leaktest: the tests of this package passed, but leaked 1 goroutine that no Check reported"

// TestMainVerdict runs the test binary of testdata/leakymain, built with
// the goroutineleak profile, as go test runs it: its standard output and
// error go to one pipe that this process reads. Main's report replaces
// the testing package's PASS line, and the output of a test binary that
// crashes or exits is all there, with its exit code.
func TestMainVerdict(t *testing.T) {
	defer Check(t)
	exe, _ := leakyTests(t, "leakymain")
	leakReported := regexp.MustCompile(`^` + mainReport + `: (?s:.*)\ngoroutineleak, the static linter, .*\nFAIL\n$`)

	out, code := runCombined(t, exe, nil, "-test.run=^(TestClean|TestLeaksUnchecked)$")
	if code != 1 || !leakReported.MatchString(out) {
		t.Errorf("a leak: exit code %d, want 1, and the report, then FAIL, alone:\n%s", code, out)
	}
	out, code = runCombined(t, exe, nil, "-test.v", "-test.run=^(TestClean|TestLeaksUnchecked)$")
	if code != 1 || strings.Contains(out, "\nPASS\n") || !regexp.MustCompile(`(?s)\n--- PASS: TestLeaksUnchecked \(.*\n`+mainReport+`: .*\nFAIL\n$`).MatchString(out) {
		t.Errorf("a leak, -test.v: exit code %d, want 1, the tests, the report, then FAIL, and no PASS:\n%s", code, out)
	}
	stdout, stderr, err := runQuietly(t, exe, nil, "-test.run=^(TestClean|TestLeaksUnchecked)$")
	if err == nil || stdout != "FAIL\n" || !strings.HasPrefix(stderr, mainReport) {
		t.Errorf("a leak, the standard error apart: exit status %v, want failure, FAIL alone on the standard output and the report on the standard error:\n%s\nstandard error:\n%s", err, stdout, stderr)
	}

	if out, code := runCombined(t, exe, nil, "-test.run=^TestClean$"); code != 0 || out != "PASS\n" {
		t.Errorf("no leak: exit code %d, output %q; want 0 and PASS", code, out)
	}
	if out, code := runCombined(t, exe, nil, "-test.v", "-test.run=^TestClean$"); code != 0 || !regexp.MustCompile(`^=== RUN   TestClean\n--- PASS: TestClean \(.*\)\nPASS\n$`).MatchString(out) {
		t.Errorf("no leak, -test.v: exit code %d, want 0, and PASS last:\n%s", code, out)
	}

	for _, c := range []struct {
		test string
		args []string
		code int
		tail string // what the output must contain after the last line the test printed
	}{
		{"TestPanics", nil, 2, "panic: leakymain panics"},
		{"TestExits", nil, 3, ""},
		{"TestHangs", []string{"-test.timeout=3s"}, 2, "panic: test timed out after 3s"},
	} {
		for _, verbose := range []string{"-test.v=false", "-test.v"} {
			args := append([]string{verbose, "-test.run=^" + c.test + "$"}, c.args...)
			out, code := runCombined(t, exe, []string{"LEAKYMAIN_END=" + c.test}, args...)
			if code != c.code {
				t.Errorf("%s %s: exit code %d, want %d:\n%s", c.test, verbose, code, c.code, lastLines(out))
			}
			last := wantNumberedLines(t, c.test+" "+verbose, out)
			if !strings.Contains(out[last:], c.tail) {
				t.Errorf("%s %s: the output lacks %q after the test's lines:\n%s", c.test, verbose, c.tail, lastLines(out))
			}
		}
	}

	// Straight to a file, the output is as it was, and the report says
	// that the PASS above is overridden.
	file, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = file.Close() }()
	err = runTestBinary(t, exe, nil, file, file, "-test.run=^(TestClean|TestLeaksUnchecked)$")
	if data, _ := os.ReadFile(file.Name()); err == nil || !regexp.MustCompile(`^PASS\n`+mainReport+`(?s:.*)\n`+regexp.QuoteMeta(passPrinted)+`\nFAIL\n$`).Match(data) {
		t.Errorf("a leak, the output to a file: exit status %v, want failure, PASS, the report saying that it overrides PASS, and FAIL:\n%s", err, data)
	}
}

// TestMainVerdictJSON runs go test -json, with a coverage profile, on
// testdata/leakymain: its output is valid JSON, and the package's last
// action is its verdict.
func TestMainVerdictJSON(t *testing.T) {
	defer Check(t)
	if testing.Short() {
		t.Skip("runs go test; skipped with -short")
	}
	env := leakchecktest.ProfileEnv(t)
	for _, c := range []struct {
		run, action string
	}{
		{"^TestClean$", "pass"},
		{"^(TestClean|TestLeaksUnchecked)$", "fail"},
	} {
		profile := filepath.Join(t.TempDir(), "cover.out")
		cmd := leakchecktest.GoCommand(env, "test", "-json", "-count=1", "-cover", "-coverprofile="+profile, "-run="+c.run, "./testdata/leakymain")
		out, err := cmd.Output()
		if (err == nil) != (c.action == "pass") {
			t.Errorf("%s: %v\n%s", c.run, err, leakchecktest.StderrOf(err))
		}
		type event struct{ Action, Test, Output string }
		var last event
		var output strings.Builder
		for sc := bufio.NewScanner(bytes.NewReader(out)); sc.Scan(); {
			last = event{}
			if err := json.Unmarshal(sc.Bytes(), &last); err != nil {
				t.Fatalf("%s: line %q: %v", c.run, sc.Text(), err)
			}
			if last.Test == "" {
				output.WriteString(last.Output)
			}
		}
		if last.Action != c.action || last.Test != "" {
			t.Errorf("%s: last event %+v, want the package's %q:\n%s", c.run, last, c.action, out)
		}
		pkgOutput := output.String()
		if !strings.Contains(pkgOutput, "coverage: ") {
			t.Errorf("%s: no coverage in the package's output:\n%s", c.run, pkgOutput)
		}
		if _, err := os.Stat(profile); err != nil {
			t.Errorf("%s: no coverage profile: %v", c.run, err)
		}
		if c.action == "fail" && (strings.Contains(pkgOutput, "PASS\n") || !regexp.MustCompile(`(?s)`+mainReport+`.*\nFAIL\n`).MatchString(pkgOutput)) {
			t.Errorf("%s: want the report, then FAIL, and no PASS, in the package's output:\n%s", c.run, pkgOutput)
		}
		if c.action == "pass" && !strings.Contains(pkgOutput, "PASS\n") {
			t.Errorf("%s: no PASS in the package's output:\n%s", c.run, pkgOutput)
		}
	}
}

// runCombined runs a test binary with its standard output and error on one
// pipe, as go test does, and returns its output and exit code.
func runCombined(t *testing.T, exe string, env []string, args ...string) (string, int) {
	t.Helper()
	var out bytes.Buffer
	err := runTestBinary(t, exe, env, &out, &out, args...)
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return out.String(), exit.ExitCode()
	}
	return out.String(), 0
}

// wantNumberedLines checks that out has the lines "line 1" to "line 20000"
// that testdata/leakymain's endsBinary prints, in order, and returns where
// the last ends.
func wantNumberedLines(t *testing.T, what, out string) int {
	t.Helper()
	next, end := 1, 0
	for i, line := range regexp.MustCompile(`(?m)^line (\d+)$`).FindAllStringSubmatchIndex(out, -1) {
		n, _ := strconv.Atoi(out[line[2]:line[3]])
		if n != next {
			t.Errorf("%s: numbered line %d is %d, want %d", what, i, n, next)
			return end
		}
		next, end = next+1, line[1]
	}
	if next != 20001 {
		t.Errorf("%s: the output ends at line %d of 20000:\n%s", what, next-1, lastLines(out))
	}
	return end
}

// lastLines returns the last 20 lines of out.
func lastLines(out string) string {
	lines := strings.SplitAfter(out, "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "")
}

// verdictHeld says whether Main holds back the testing package's PASS line
// when the output is read through a pipe: on Linux.
const verdictHeld = true
