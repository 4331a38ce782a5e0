package main_test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// These tests build the real binary and run it the ways users do:
// standalone, and under go vet -vettool.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "goroutineleak-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "goroutineleak")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		panic("building goroutineleak: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
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
	out, code := run(t, root, "go", "vet", "-vettool="+binary, "./testdata/example")
	if code == 0 {
		t.Errorf("go vet exited 0 with leaks to report")
	}
	wantReports(t, out, exampleReports)
}

func TestGoVetFlag(t *testing.T) {
	out, _ := run(t, root, "go", "vet", "-vettool="+binary, "-loop=false", "./testdata/example")
	wantReports(t, out, exampleReports[:2])
	if strings.Contains(out, "never finishes") {
		t.Errorf("-loop=false still reported a loop:\n%s", out)
	}
}

func TestGoVetJSON(t *testing.T) {
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

func TestBadInput(t *testing.T) {
	out, code := run(t, root, binary, "-no-such-flag", "./testdata/example")
	if code != 2 || !strings.Contains(out, "flag provided but not defined: -no-such-flag") {
		t.Errorf("bad flag: exit %d, output:\n%s", code, out)
	}

	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"go.mod":    "module broken\n\ngo 1.26\n",
		"broken.go": "package broken\n\nfunc f() { undefined() }\n",
	})
	for _, argv := range [][]string{{binary, "./..."}, {"go", "vet", "-vettool=" + binary, "./..."}} {
		out, code = run(t, dir, argv[0], argv[1:]...)
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
