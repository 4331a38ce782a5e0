package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fixable = `package leaky

import "time"

func First(urls []string, fetch func(string) int) int {
	out := make(chan int)
	for _, u := range urls {
		go func() { out <- fetch(u) }()
	}
	return <-out
}

func Timeout(fetch func() int) int {
	out := make(chan int)
	go func() { out <- fetch() }()
	select {
	case v := <-out:
		return v
	case <-time.After(time.Second):
		return 0
	}
}
`

const unfixable = `package leaky

func Nil() {
	var ch chan int
	go func() { <-ch }()
}
`

// TestFix runs -fix as a user does: the fixes are applied, the reports
// with no fix are listed, and the exit code says whether any remain.
func TestFix(t *testing.T) {
	binaryTest(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"go.mod": "module leaky\n\ngo 1.26\n", "fixable.go": fixable, "unfixable.go": unfixable})

	out, code := run(t, dir, binary, "-fix", "./...")
	if code != 3 {
		t.Errorf("-fix with a report left: exit %d, want 3:\n%s", code, out)
	}
	if !strings.Contains(out, "1 report has no fix and remains:") || !strings.Contains(out, "unfixable.go:5:14: goroutine blocks for ever receiving from ch: ch is a nil channel") {
		t.Errorf("-fix does not list the report left:\n%s", out)
	}
	if strings.Contains(out, "fixable.go:") && !strings.Contains(out, "unfixable.go") {
		t.Errorf("-fix lists a fixed report:\n%s", out)
	}
	got, err := os.ReadFile(filepath.Join(dir, "fixable.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"out := make(chan int, len(urls))", "out := make(chan int, 1)"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("fixed file lacks %q:\n%s", want, got)
		}
	}

	// With the unfixable leak gone, -fix has nothing left to say.
	if err := os.Remove(filepath.Join(dir, "unfixable.go")); err != nil {
		t.Fatal(err)
	}
	if out, code := run(t, dir, binary, "-fix", "./..."); code != 0 || out != "" {
		t.Errorf("-fix with nothing left: exit %d, output:\n%s", code, out)
	}
	if out, code := run(t, dir, binary, "./..."); code != 0 {
		t.Errorf("the fixed package is still reported: exit %d:\n%s", code, out)
	}
}

// TestFixJSON: with -json, what remains is the JSON, and the exit code
// still says that something does.
func TestFixJSON(t *testing.T) {
	binaryTest(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"go.mod": "module leaky\n\ngo 1.26\n", "unfixable.go": unfixable})
	out, code := run(t, dir, binary, "-json", "-fix", "./...")
	if code != 3 || !strings.Contains(out, `"goroutineleak"`) || !strings.Contains(out, "nil channel") {
		t.Errorf("-json -fix: exit %d, output:\n%s", code, out)
	}
}

// withContext's send has two fixes: a buffer, and a select on ctx.Done().
const withContext = `package leaky

import "context"

func FetchWithContext(ctx context.Context, fetch func() int) int {
	out := make(chan int)
	go func() {
		out <- fetch()
	}()
	select {
	case v := <-out:
		return v
	case <-ctx.Done():
		return 0
	}
}
`

// TestFixOnePerReport: -fix applies one fix per report, the buffer unless
// -sendfix=select, and says nothing about the other; -json lists the one.
func TestFixOnePerReport(t *testing.T) {
	binaryTest(t)
	for _, tc := range []struct {
		flags      []string
		want, lose string
	}{
		{nil, "out := make(chan int, 1)", "case out <- fetch():"},
		{[]string{"-sendfix=select"}, "case out <- fetch():\n\t\tcase <-ctx.Done():\n\t\t\treturn\n", "make(chan int, 1)"},
	} {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"go.mod": "module leaky\n\ngo 1.26\n", "leaky.go": withContext})
		out, code := run(t, dir, binary, append(tc.flags, "-json", ".")...)
		if n := strings.Count(out, `"message": "`); code != 0 || n != 5 { // the report, its fix, three related
			t.Errorf("%v -json: exit %d, %d messages, want 5 (one fix):\n%s", tc.flags, code, n, out)
		}
		out, code = run(t, dir, binary, append(tc.flags, "-fix", "./...")...)
		if code != 0 || out != "" {
			t.Errorf("%v -fix: exit %d, output (want none):\n%s", tc.flags, code, out)
		}
		got, err := os.ReadFile(filepath.Join(dir, "leaky.go"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(got), tc.want) || strings.Contains(string(got), tc.lose) {
			t.Errorf("%v -fix: want %q and not %q:\n%s", tc.flags, tc.want, tc.lose, got)
		}
	}
}
