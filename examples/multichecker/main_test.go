package main_test

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goroutineleak/goroutineleak/leaktest"
)

// TestMain fails the package if its tests leak goroutines: os/exec copies
// the commands' output in goroutines.
func TestMain(m *testing.M) {
	leaktest.Main(m)
}

// TestMultichecker builds the example driver and runs it as docs/integrations.md
// says: standalone, with the prefixed flags, its help, and under go vet.
func TestMultichecker(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example driver; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "mychecker")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("building the example: %v\n%s", err, out)
	}
	const root = "../.."
	run := func(t *testing.T, args ...string) (string, int) {
		t.Helper()
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return string(out), ee.ExitCode()
		} else if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return string(out), 0
	}
	reports := map[string]string{
		"send": "example.go:23:14: goroutine blocks for ever sending on unbuffered channel out",
		"recv": "example.go:49:3: goroutine blocks for ever ranging over work",
		"loop": "example.go:85:3: goroutine never finishes",
	}
	check := func(t *testing.T, argv []string, out string, want ...string) {
		t.Helper()
		for name, report := range reports {
			wanted := strings.Contains(strings.Join(want, " "), name)
			if got := strings.Count(out, report); wanted && got != 1 || !wanted && got != 0 {
				t.Errorf("%v: %q reported %d times:\n%s", argv, report, got, out)
			}
		}
	}

	for _, tc := range []struct {
		argv []string
		want []string
	}{
		{[]string{bin, "./testdata/example"}, []string{"send", "recv", "loop"}},
		{[]string{bin, "-goroutineleak.loop=false", "./testdata/example"}, []string{"send", "recv"}},
		{[]string{bin, "-goroutineleak.testfail=false", "-goroutineleak.send=false", "./testdata/example"}, []string{"recv", "loop"}},
		{[]string{bin, "-goroutineleak=false", "./testdata/example"}, nil},
		{[]string{bin, "-lostcancel", "./testdata/example"}, nil},
		{[]string{"go", "vet", "-vettool=" + bin, "-goroutineleak.loop=false", "./testdata/example"}, []string{"send", "recv"}},
	} {
		// Each run type-checks the example's imports from source: the
		// runs go in parallel.
		t.Run(strings.ReplaceAll(strings.Join(tc.argv, " "), bin, "mychecker"), func(t *testing.T) {
			t.Parallel()
			out, code := run(t, tc.argv...)
			if want := map[bool]int{true: 3, false: 0}[len(tc.want) > 0]; tc.argv[0] == bin && code != want {
				t.Errorf("%v: exit %d, want %d:\n%s", tc.argv, code, want, out)
			}
			check(t, tc.argv, out, tc.want...)
		})
	}

	// Flags without the prefix belong to the standalone binary only.
	if out, code := run(t, bin, "-loop=false", "./testdata/example"); code != 2 || !strings.Contains(out, "flag provided but not defined: -loop") {
		t.Errorf("-loop=false in a multichecker: exit %d:\n%s", code, out)
	}

	out, code := run(t, bin, "help")
	if code != 0 || !strings.Contains(out, "goroutineleak report goroutines that can never finish") || !strings.Contains(out, "lostcancel") {
		t.Errorf("help: exit %d:\n%s", code, out)
	}
	out, code = run(t, bin, "help", "goroutineleak")
	if code != 0 || !strings.HasPrefix(out, "goroutineleak: report goroutines that can never finish\n") || strings.Count(out, "goroutineleak:") != 1 {
		t.Errorf("help goroutineleak: exit %d, want the title once:\n%s", code, out)
	}
	for _, flag := range []string{"-goroutineleak.recv", "-goroutineleak.send", "-goroutineleak.loop", "-goroutineleak.testfail"} {
		if !strings.Contains(out, flag+"\n") {
			t.Errorf("help goroutineleak lacks %s:\n%s", flag, out)
		}
	}
	// The example's Config switches testfail on.
	if !strings.Contains(out, "testfail: report goroutines that leak only when their test fails (t.Fatal, t.Skip, require) (testleak)\n") {
		t.Errorf("help goroutineleak: testfail should be on by default here:\n%s", out)
	}
}
