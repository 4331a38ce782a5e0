package leakcheck_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goroutineleak/goroutineleak/internal/leakcheck"
	"github.com/goroutineleak/goroutineleak/internal/leakcheck/leakchecktest"
	"github.com/goroutineleak/goroutineleak/leaktest"
)

// Markers in the fixtures' sources. "// leaks here" says that the leak
// variant leaves at least one goroutine blocked for good on that line, and
// "// leaks here: N" exactly N. "// leaks, unseen by the profile" marks a
// leak the profile cannot confirm (a goroutine that spins or sleeps is
// never blocked); in such a fixture neither variant may be reported.
var (
	leakMarker   = regexp.MustCompile(`// leaks here(?:: (\d+))?$`)
	unseenMarker = regexp.MustCompile(`// leaks, unseen by the profile`)
)

const (
	// exitNoProfile is fixture.ExitNoProfile, which this package cannot
	// import: the fixture package imports this one.
	exitNoProfile = 3
	// runs is how often each variant runs per GOMAXPROCS value: the
	// profile sees a leak only once the goroutine has blocked, so one
	// lucky run proves little.
	runs = 3
)

// gomaxprocs are the values each variant runs under: 1 is the schedule the
// runtime's own test of the profile trusts, 2 lets goroutines run beside
// the one writing the profile.
var gomaxprocs = []string{"1", "2"}

// fixture is one program under testdata/fixtures and what its markers
// expect of its leak variant.
type fixture struct {
	name   string
	leaks  map[site]int // blocking site -> goroutines expected there, 0 for at least one
	unseen []site
}

// site is a line of a fixture's source, by its path relative to testdata.
type site struct {
	file string // "fixtures/announce/main.go"
	line int
}

func (s site) String() string { return fmt.Sprintf("%s:%d", s.file, s.line) }

// TestFixtures builds every fixture program and checks with the
// goroutineleak profile that its leak variant leaks exactly at its marked
// lines and its twin not at all.
func TestFixtures(t *testing.T) {
	defer leaktest.Check(t)
	if testing.Short() {
		t.Skip("builds and runs the leak fixtures under the goroutineleak profile; skipped with -short")
	}
	fixtures := loadFixtures(t)
	env := leakchecktest.ProfileEnv(t)

	bin := t.TempDir()
	args := []string{"build", "-o", bin + string(filepath.Separator)}
	for _, f := range fixtures {
		args = append(args, "./testdata/fixtures/"+f.name)
	}
	start := time.Now()
	if out, err := leakchecktest.GoCommand(env, args...).CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	t.Logf("built %d fixtures in %v", len(fixtures), time.Since(start).Round(time.Millisecond))

	for _, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			exe := filepath.Join(bin, f.name)
			for _, procs := range gomaxprocs {
				for run := range runs {
					where := fmt.Sprintf("GOMAXPROCS=%s run %d", procs, run+1)
					f.checkLeak(t, where, runFixture(t, exe, "leak", procs))
					f.checkTwin(t, where, runFixture(t, exe, "twin", procs))
				}
			}
			for _, s := range f.unseen {
				t.Logf("%s: a leak the profile cannot confirm; checked only that it reports nothing", s)
			}
		})
	}
}

// checkLeak reports a marked line where no goroutine leaked (or not as
// many as marked), and a leaked goroutine on no marked line.
func (f *fixture) checkLeak(t *testing.T, where string, leaked []leakcheck.Goroutine) {
	t.Helper()
	if len(f.unseen) > 0 {
		f.checkTwin(t, where+", leak variant", leaked)
		return
	}
	got := map[site]int{}
	for _, g := range leaked {
		s, ok := f.siteOf(g.Blocked)
		if !ok || !hasKey(f.leaks, s) {
			t.Errorf("%s: leak variant: unexpected leak: %s", where, leakcheck.Describe(g))
			continue
		}
		got[s]++
	}
	for s, want := range f.leaks {
		switch {
		case got[s] == 0:
			t.Errorf("%s: leak variant: no goroutine leaked at %s (reported: %s)", where, s, leakcheck.DescribeAll(leaked))
		case want > 0 && got[s] != want:
			t.Errorf("%s: leak variant: %d goroutines leaked at %s, marked %d (reported: %s)", where, got[s], s, want, leakcheck.DescribeAll(leaked))
		}
	}
}

// checkTwin reports every leaked goroutine.
func (f *fixture) checkTwin(t *testing.T, where string, leaked []leakcheck.Goroutine) {
	t.Helper()
	for _, g := range leaked {
		t.Errorf("%s: twin: unexpected leak: %s", where, leakcheck.Describe(g))
	}
}

// siteOf places a frame in the fixture's sources. Frames carry absolute
// paths, or module paths under -trimpath; both end in the path below
// testdata.
func (f *fixture) siteOf(fr leakcheck.Frame) (site, bool) {
	file := filepath.ToSlash(fr.File)
	i := strings.LastIndex(file, "/testdata/fixtures/"+f.name+"/")
	if i < 0 {
		return site{}, false
	}
	return site{file: file[i+len("/testdata/"):], line: fr.Line}, true
}

func hasKey(m map[site]int, s site) bool {
	_, ok := m[s]
	return ok
}

// loadFixtures reads the markers of every fixture under testdata/fixtures.
func loadFixtures(t *testing.T) []*fixture {
	t.Helper()
	dirs, err := os.ReadDir(filepath.Join("testdata", "fixtures"))
	if err != nil {
		t.Fatal(err)
	}
	var fixtures []*fixture
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		f := &fixture{name: d.Name(), leaks: map[site]int{}}
		files, err := filepath.Glob(filepath.Join("testdata", "fixtures", f.name, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			readMarkers(t, f, file)
		}
		switch {
		case len(f.leaks) == 0 && len(f.unseen) == 0:
			t.Fatalf("fixture %s marks no line with %q or %q", f.name, "// leaks here", "// leaks, unseen by the profile")
		case len(f.leaks) > 0 && len(f.unseen) > 0:
			t.Fatalf("fixture %s marks both leaks the profile sees and leaks it cannot; split it", f.name)
		}
		fixtures = append(fixtures, f)
	}
	if len(fixtures) == 0 {
		t.Fatal("no fixtures under testdata/fixtures")
	}
	return fixtures
}

func readMarkers(t *testing.T, f *fixture, file string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	rel := "fixtures/" + f.name + "/" + filepath.Base(file)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimRight(sc.Text(), " \t")
		s := site{file: rel, line: line}
		if m := leakMarker.FindStringSubmatch(text); m != nil {
			n := 0
			if m[1] != "" {
				n, _ = strconv.Atoi(m[1])
			}
			f.leaks[s] = n
		} else if unseenMarker.MatchString(text) {
			f.unseen = append(f.unseen, s)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

// runFixture runs one variant of a fixture binary and returns what the
// profile reported.
func runFixture(t *testing.T, exe, variant, procs string) []leakcheck.Goroutine {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, variant)
	cmd.Env = append(os.Environ(), "GOMAXPROCS="+procs)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) && ee.ExitCode() == exitNoProfile {
		t.Fatalf("%s %s: built without the profile although the probe had it: %s", filepath.Base(exe), variant, stderr.Bytes())
	}
	if err != nil {
		t.Fatalf("%s %s (GOMAXPROCS=%s): %v\n%s", filepath.Base(exe), variant, procs, err, stderr.Bytes())
	}
	var leaked []leakcheck.Goroutine
	if err := json.Unmarshal(out, &leaked); err != nil {
		t.Fatalf("%s %s: decoding %q: %v", filepath.Base(exe), variant, out, err)
	}
	return leaked
}
