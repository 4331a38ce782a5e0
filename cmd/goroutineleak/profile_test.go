package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goroutineleak/goroutineleak/internal/leakcheck/leakchecktest"
)

// fixtureProfileEnv is fixture.ProfileEnv: the runnable leak fixtures
// save their goroutineleak profile where it says.
const fixtureProfileEnv = "GOROUTINELEAK_FIXTURE_PROFILE"

// TestProfile runs leak fixtures of internal/leakcheck under the runtime's
// goroutineleak profile, saves their profiles in both forms, and reads
// them with goroutineleak -profile: the sites the linter reports are
// matched to their reports, the others are listed as unexplained.
func TestProfile(t *testing.T) {
	binaryTest(t)
	env := leakchecktest.ProfileEnv(t)
	fixtures := []string{"example-fetchtimeout", "announce", "deadexit", "methodloop"}
	bin := t.TempDir()
	args := []string{"build", "-o", bin + string(filepath.Separator)}
	for _, f := range fixtures {
		args = append(args, "./internal/leakcheck/testdata/fixtures/"+f)
	}
	build := leakchecktest.GoCommand(env, args...)
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	for _, f := range fixtures {
		cmd := exec.Command(filepath.Join(bin, f), "leak")
		cmd.Env = append(os.Environ(), fixtureProfileEnv+"="+filepath.Join(bin, f))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s leak: %v\n%s", f, err, out)
		}
	}
	abs, err := filepath.Abs(filepath.Join(root, "internal/leakcheck/testdata/fixtures"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		fixture string
		flags   []string
		want    []string
	}{
		{"example-fetchtimeout", nil, []string{
			": 1 leaked goroutine at 1 site: 1 reported by the linter, 0 unexplained\n",
			"1 goroutine leaked at " + abs + "/example-fetchtimeout/main.go:30 (chan send) in main.FetchWithTimeout.func1\n",
			"\treported: " + abs + "/example-fetchtimeout/main.go:30:14: goroutine blocks for ever sending on unbuffered channel out: FetchWithTimeout can return through the time.After case without receiving from out\n",
			"main.go:35:3: FetchWithTimeout returns here without receiving from out\n",
			"\t\tsuggested fix: give out a buffer for every send: make(..., 1)\n",
		}},
		// The goroutine blocks in the callee that the report relates.
		{"announce", nil, []string{
			"1 reported by the linter, 0 unexplained",
			"1 goroutine leaked at " + abs + "/announce/main.go:10 (chan send) in main.announce\n",
			"\treported, relating this line: " + abs + "/announce/main.go:16:5: goroutine blocks for ever in announce, sending on unbuffered channel m",
		}},
		// loopleak reports the loop; the goroutine blocks in its select.
		{"deadexit", nil, []string{
			"1 reported by the linter, 0 unexplained",
			"(select) in main.(*worker).loop\n",
			"\treported on the loop that encloses this line (line 23): " + abs + "/deadexit/main.go:23:2: goroutine never finishes",
		}},
		// A range over a struct field that a method other than the release
		// method also sends on: no contract, and the linter is silent.
		{"methodloop", nil, []string{
			"0 reported by the linter, 1 unexplained",
			"1 goroutine leaked at " + abs + "/methodloop/main.go:19 (chan receive) in main.(*Pool).loop\n",
			"\tunexplained: the linter is silent here\n\tblind spot: cannot tell which; the channel reaches code the linter does not follow",
		}},
		{"example-fetchtimeout", []string{"-send=false"}, []string{
			"0 reported by the linter, 1 unexplained",
			"\tunexplained: the linter is silent here\n\tblind spot: the pattern is switched off (-send=false)\n",
		}},
	} {
		for _, form := range []string{".pb.gz", ".txt"} {
			name := tc.fixture + strings.Join(tc.flags, "") + form
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				argv := append([]string{"-profile", filepath.Join(bin, tc.fixture+form)}, tc.flags...)
				argv = append(argv, "./internal/leakcheck/testdata/fixtures/"+tc.fixture)
				out, code := run(t, root, binary, argv...)
				if code != 0 {
					t.Errorf("exit %d, want 0", code)
				}
				for _, w := range tc.want {
					if !strings.Contains(out, w) {
						t.Errorf("output lacks %q:\n%s", w, out)
					}
				}
			})
		}
	}
}

// TestProfileBadInput: one clear line, a non-zero exit, never a stack
// trace.
func TestProfileBadInput(t *testing.T) {
	binaryTest(t)
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage")
	if err := os.WriteFile(garbage, []byte("\x00\x01\x02 not a profile"), 0o644); err != nil {
		t.Fatal(err)
	}
	debug1 := filepath.Join(dir, "debug1")
	if err := os.WriteFile(debug1, []byte("goroutineleak profile: total 1\n1 @ 0x1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-profile"}, 2, "flag needs an argument: -profile"},
		{[]string{"-profile", garbage}, 2, "-profile needs a file and the packages"},
		{[]string{"-profile", garbage, "-bogus", "./testdata/example"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"-profile", filepath.Join(dir, "missing"), "./testdata/example"}, 1, "no such file or directory"},
		{[]string{"-profile", garbage, "./testdata/example"}, 1, "not a goroutineleak profile"},
		{[]string{"-profile=" + debug1, "./testdata/example"}, 1, "a debug=1 profile; save it with debug=0"},
	} {
		out, code := run(t, root, binary, tc.args...)
		if code != tc.code || !strings.Contains(out, tc.want) {
			t.Errorf("%v: exit %d, want %d and %q:\n%s", tc.args, code, tc.code, tc.want, out)
		}
		if n := strings.Count(strings.TrimSpace(out), "\n"); n > 1 {
			t.Errorf("%v: %d lines, want at most 2 (the error and the usage):\n%s", tc.args, n+1, out)
		}
	}
}
