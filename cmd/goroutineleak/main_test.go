package main_test

import (
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/goroutineleak/goroutineleak/leaktest"
)

// These tests build the real binary and run it the ways users do:
// standalone, and under go vet -vettool. With -short, TestMain builds no
// binary and they skip.

var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(leaktest.Run(m))
	}
	dir, err := os.MkdirTemp("", "goroutineleak-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "goroutineleak")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		panic("building goroutineleak: " + err.Error() + "\n" + string(out))
	}
	code := leaktest.Run(m) // os/exec copies the commands' output in goroutines
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// binaryTest marks t as a test of the binary: skipped with -short, run in
// parallel with the others otherwise.
func binaryTest(t *testing.T) {
	t.Helper()
	if binary == "" {
		t.Skip("builds and runs the goroutineleak binary; skipped with -short")
	}
	t.Parallel()
}

var exampleReports = []string{
	"example.go:23:14: goroutine blocks for ever sending on unbuffered channel out: FetchWithTimeout can return through the time.After case without receiving from out",
	"example.go:49:3: goroutine blocks for ever ranging over work: Pipeline can return without closing work",
	"example.go:85:3: goroutine never finishes: this for loop has no condition and it never checks ctx.Done()",
}

// run runs a command in the module root and returns its combined output
// and exit code.
func run(t *testing.T, dir string, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	if strings.Contains(string(out), "panic:") || strings.Contains(string(out), "goroutine 1 [") {
		t.Errorf("%s %v printed a stack trace:\n%s", name, args, out)
	}
	return string(out), code
}

const root = "../.."

func wantReports(t *testing.T, out string, want []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

func TestStandalone(t *testing.T) {
	binaryTest(t)
	out, code := run(t, root, binary, "./testdata/example")
	if code != 3 {
		t.Errorf("exit code %d, want 3 (diagnostics reported)", code)
	}
	wantReports(t, out, exampleReports)
	if n := strings.Count(out, "goroutine started here"); n != 3 {
		t.Errorf("%d related go statements, want 3:\n%s", n, out)
	}
}

func TestGoVet(t *testing.T) {
	binaryTest(t)
	out, code := run(t, root, "go", "vet", "-vettool="+binary, "./testdata/example")
	if code == 0 {
		t.Errorf("go vet exited 0 with leaks to report")
	}
	wantReports(t, out, exampleReports)
}

func TestGoVetFlag(t *testing.T) {
	binaryTest(t)
	out, _ := run(t, root, "go", "vet", "-vettool="+binary, "-loop=false", "./testdata/example")
	wantReports(t, out, exampleReports[:2])
	if strings.Contains(out, "never finishes") {
		t.Errorf("-loop=false still reported a loop:\n%s", out)
	}
}

func TestGoVetJSON(t *testing.T) {
	binaryTest(t)
	out, code := run(t, root, "go", "vet", "-vettool="+binary, "-json", "./testdata/example")
	if code != 0 {
		t.Fatalf("go vet -json exited %d:\n%s", code, out)
	}
	// go vet -json prints "# package" headers before each JSON object.
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	var tree map[string]map[string][]struct {
		Posn    string `json:"posn"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal([]byte(strings.Join(lines, "\n")), &tree); err != nil {
		t.Fatalf("parsing go vet -json output: %v\n%s", err, out)
	}
	n := 0
	for _, byAnalyzer := range tree {
		n += len(byAnalyzer["goroutineleak"])
	}
	if n != 3 {
		t.Errorf("%d JSON diagnostics, want 3:\n%s", n, out)
	}
}

// TestGoVetFacts checks that facts cross package boundaries under go vet,
// which analyses one package per process.
func TestGoVetFacts(t *testing.T) {
	binaryTest(t)
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module vetfacts\n\ngo 1.26\n",
		"lib/lib.go": `package lib

func Loop() {
	for {
	}
}

func Consume(ch <-chan int) {
	for range ch {
	}
}
`,
		"user/user.go": `package user

import "vetfacts/lib"

func Start(xs []int) {
	go lib.Loop()
	ch := make(chan int)
	go lib.Consume(ch)
	for _, x := range xs {
		ch <- x
	}
}
`,
	}
	writeFiles(t, dir, files)
	out, _ := run(t, dir, "go", "vet", "-vettool="+binary, "./...")
	wantReports(t, out, []string{
		"user.go:6:2: goroutine never finishes: vetfacts/lib.Loop loops for ever",
		"user.go:8:5: goroutine blocks for ever in Consume, ranging over ch: nothing closes ch",
	})
}

// TestIgnoreDirective checks //goroutineleak:ignore under the standalone
// binary and go vet: a directive with a reason silences, one without is
// reported.
func TestIgnoreDirective(t *testing.T) {
	binaryTest(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"go.mod": "module ignore\n\ngo 1.26\n", "ignore.go": `package ignore

func Silenced() {
	ch := make(chan int)
	go func() {
		<-ch //goroutineleak:ignore closed by the test harness
	}()
}

func NoReason() {
	ch := make(chan int)
	go func() {
		//goroutineleak:ignore
		<-ch
	}()
}
`})
	for _, argv := range [][]string{{binary, "./..."}, {"go", "vet", "-vettool=" + binary, "./..."}} {
		out, _ := run(t, dir, argv[0], argv[1:]...)
		wantReports(t, out, []string{
			"ignore.go:13:3: goroutineleak:ignore needs a reason",
			"ignore.go:14:3: goroutine blocks for ever receiving from ch",
		})
		if strings.Contains(out, "ignore.go:6:") {
			t.Errorf("%v: a directive with a reason did not silence the report:\n%s", argv, out)
		}
	}
}

const seeHelp = "Run 'goroutineleak -help' for the flags, 'goroutineleak help' for the patterns.\n"

func TestBadInput(t *testing.T) {
	binaryTest(t)
	// A bad flag: its error and where to look, not the ~50 lines of every
	// flag of the driver.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-no-such-flag", "./testdata/example"}, "goroutineleak: flag provided but not defined: -no-such-flag\n"},
		{[]string{"-sendfix=both", "./testdata/example"}, `goroutineleak: invalid value "both" for flag -sendfix: want buffer or select` + "\n"},
		{[]string{"-json"}, "goroutineleak: no packages to analyse: goroutineleak [-flag ...] package ... (./... for the module)\n"},
		{nil, "goroutineleak: no packages to analyse: goroutineleak [-flag ...] package ... (./... for the module)\n"},
	} {
		out, code := run(t, root, binary, tc.args...)
		if code != 2 || out != tc.want+seeHelp {
			t.Errorf("%v: exit %d, output:\n%s\nwant exit 2 and:\n%s%s", tc.args, code, out, tc.want, seeHelp)
		}
	}

	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"go.mod":    "module broken\n\ngo 1.26\n",
		"broken.go": "package broken\n\nfunc f() { undefined() }\n",
	})
	for _, argv := range [][]string{{binary, "./..."}, {"go", "vet", "-vettool=" + binary, "./..."}} {
		out, code := run(t, dir, argv[0], argv[1:]...)
		if code == 0 || !strings.Contains(out, "undefined: undefined") {
			t.Errorf("%v on a broken package: exit %d, output:\n%s", argv, code, out)
		}
		// One line about the user's code: nothing from the engine, which
		// the user never named.
		for _, internal := range []string{"goroutineleakfacts", "failed prerequisites", "analysis skipped"} {
			if strings.Contains(out, internal) {
				t.Errorf("%v on a broken package printed %q:\n%s", argv, internal, out)
			}
		}
	}
}

// writeFiles writes a small module or package into dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestHelp follows go vet's own advice: on a bad flag it says "Run
// '.../goroutineleak help' for a full list of flags and analyzers".
func TestHelp(t *testing.T) {
	binaryTest(t)
	out, code := run(t, root, "go", "vet", "-vettool="+binary, "-no-such-flag", "./testdata/example")
	m := regexp.MustCompile(`Run '(.*) help' for a full list`).FindStringSubmatch(out)
	if code == 0 || m == nil {
		t.Fatalf("go vet with a bad flag: exit %d, no advice to run help:\n%s", code, out)
	}
	out, code = run(t, root, m[1], "help")
	if code != 0 {
		t.Errorf("%s help: exit %d:\n%s", m[1], code, out)
	}
	for _, want := range []string{
		"goroutineleak: report goroutines that can never finish\n",
		"go vet -vettool=$(which goroutineleak)",
		"recvleak  -recv      report goroutines that block for ever on a receive\n",
		"sendleak  -send      report goroutines that block for ever on a send\n",
		"loopleak  -loop      report goroutines that loop for ever\n",
		"syncleak  -sync      report goroutines that block for ever on a mutex, WaitGroup or Cond\n",
		"testleak  -testfail  report goroutines that leak only when their test fails",
		"(off by default)",
		"'goroutineleak help recvleak'",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "not in std") || strings.Contains(out, "goroutineleakfacts") {
		t.Errorf("help took help for a package, or named the engine:\n%s", out)
	}
}

func TestHelpPattern(t *testing.T) {
	binaryTest(t)
	for _, tc := range []struct{ arg, head, flag, url string }{
		{"recvleak", "recvleak: report goroutines that block for ever on a receive\n", "Flag: -recv (default true)", "#recvleak"},
		{"send", "sendleak: report goroutines that block for ever on a send\n", "Flag: -send (default true)", "#sendleak"},
		{"loopleak", "loopleak: report goroutines that loop for ever\n", "Flag: -loop (default true)", "#loopleak"},
		{"syncleak", "syncleak: report goroutines that block for ever on a mutex, WaitGroup or Cond\n", "Flag: -sync (default true)", "#syncleak"},
		{"-sync", "syncleak: report goroutines that block for ever on a mutex, WaitGroup or Cond\n", "switching receive reports off does not", "#syncleak"},
		{"testleak", "testleak: report goroutines that leak only when their test fails", "Flag: -testfail (default false)", "#test-failure-paths"},
	} {
		out, code := run(t, root, binary, "help", tc.arg)
		if code != 0 || !strings.HasPrefix(out, tc.head) || !strings.Contains(out, tc.flag) || !strings.Contains(out, tc.url) {
			t.Errorf("help %s: exit %d, want %q, %q and %q:\n%s", tc.arg, code, tc.head, tc.flag, tc.url, out)
		}
	}
	out, code := run(t, root, binary, "help", "recvleak", "sendleak")
	if code != 0 || !strings.Contains(out, "recvleak: ") || !strings.Contains(out, "sendleak: ") {
		t.Errorf("help recvleak sendleak: exit %d:\n%s", code, out)
	}
	out, code = run(t, root, binary, "help", "leaks")
	if code != 2 || strings.TrimSpace(out) != `goroutineleak: no pattern named "leaks" (known: recvleak, sendleak, loopleak, syncleak, testleak)` {
		t.Errorf("help leaks: exit %d:\n%s", code, out)
	}
}

// TestFlagAfterPackages: the flag package stops at the first package, so
// a flag after it would be taken for a package and ignored.
func TestFlagAfterPackages(t *testing.T) {
	binaryTest(t)
	out, code := run(t, root, binary, "./testdata/example", "-loop=false")
	want := "goroutineleak: flags go before the packages: move -loop=false before ./testdata/example\n" + seeHelp
	if code != 2 || out != want {
		t.Errorf("a flag after the packages: exit %d, output:\n%s\nwant exit 2 and:\n%s", code, out, want)
	}
}

// TestValueFlags checks that the command knows which of the driver's flags
// take a value (-c 3): it would take the 3 for a package, and -json after
// it for a misplaced flag.
func TestValueFlags(t *testing.T) {
	binaryTest(t)
	out, code := run(t, root, binary, "-flags")
	var flags []struct {
		Name string
		Bool bool
	}
	if err := json.Unmarshal([]byte(out), &flags); code != 0 || err != nil {
		t.Fatalf("-flags: exit %d, %v:\n%s", code, err, out)
	}
	for _, f := range append(flags, struct {
		Name string
		Bool bool
	}{"cpuprofile", false}) { // -flags leaves out the driver's debugging flags
		if f.Bool {
			continue
		}
		out, code := run(t, root, binary, "-"+f.Name, "1")
		if code != 2 || !strings.Contains(out, "no packages to analyse") {
			t.Errorf("-%s 1: the 1 taken for a package: exit %d:\n%s", f.Name, code, out)
		}
	}
}

// TestUsage checks that -help names the tool once, lists the flags users
// set before the driver's others, and says how to pass build tags.
func TestUsage(t *testing.T) {
	binaryTest(t)
	out, code := run(t, root, binary, "-help")
	if code != 0 || !strings.HasPrefix(out, "goroutineleak: report goroutines that can never finish\n") {
		t.Errorf("-help: exit %d, header:\n%s", code, out)
	}
	if strings.Count(out, "goroutineleak:") != 1 {
		t.Errorf("-help names the tool more than once:\n%s", out)
	}
	// In this order: the patterns, the output and fixes, then the rest.
	last := -1
	for _, want := range []string{
		"flags go before the packages",
		"\nPatterns", "  -recv\n", "  -testfail\n",
		"\nOutput and fixes:\n", "  -fix\n", "apply each report's fix (one per report)", "  -json\n", "  -sendfix value\n",
		"  -test\n",
		"GOFLAGS=-tags=integration goroutineleak ./...",
		"-sendfix=select applies the select",
		"\nOther flags of the go/analysis driver", "  -cpuprofile string", "  -debug string", "  -tags string\n    \tno effect (deprecated)",
	} {
		i := strings.Index(out, want)
		if i < 0 {
			t.Errorf("-help lacks %q:\n%s", want, out)
			continue
		}
		if i < last {
			t.Errorf("-help lists %q too early:\n%s", want, out)
		}
		last = i
	}
}

// TestVersion checks -V and -V=full against the binary's build info, and
// that go vet takes -V=full (it runs it before any vet tool and keys its
// cache by the output).
func TestVersion(t *testing.T) {
	binaryTest(t)
	info, err := buildinfo.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	want := "goroutineleak version " + info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			want += " vcs.revision=" + s.Value
		}
	}
	out, code := run(t, root, binary, "-V")
	if code != 0 || !strings.HasPrefix(out, want+" ") || !strings.HasSuffix(out, info.GoVersion+"\n") {
		t.Errorf("-V: exit %d, got %q, want %q ... %s", code, out, want, info.GoVersion)
	}
	out, code = run(t, root, binary, "-V=full")
	full := regexp.MustCompile(`^goroutineleak version \S+ .*go1\.\S+ buildID=[0-9a-f]{64}\n$`)
	if code != 0 || !strings.HasPrefix(out, want+" ") || !full.MatchString(out) {
		t.Errorf("-V=full: exit %d, got %q, want %q ... buildID=<sha256>", code, out, want)
	}
	if strings.Contains(out, "comments-go-here") {
		t.Errorf("-V=full prints x/tools' placeholder: %q", out)
	}
	out, code = run(t, root, binary, "-V=short")
	if code != 2 || !strings.Contains(out, "want -V or -V=full") {
		t.Errorf("-V=short: exit %d:\n%s", code, out)
	}
	// go vet refuses a tool whose -V=full it cannot parse.
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"go.mod": "module clean\n\ngo 1.26\n", "clean.go": "package clean\n"})
	if out, code := run(t, dir, "go", "vet", "-vettool="+binary, "./..."); code != 0 {
		t.Errorf("go vet on a clean package: exit %d:\n%s", code, out)
	}
}

func TestHelpAfterFlags(t *testing.T) {
	binaryTest(t)
	out, code := run(t, root, binary, "-json", "help", "recvleak")
	if code != 0 || !strings.HasPrefix(out, "recvleak: report goroutines that block for ever on a receive\n") {
		t.Errorf("-json help recvleak: exit %d:\n%s", code, out)
	}
}
