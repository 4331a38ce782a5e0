package leakcheck

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"
)

// A traceback as the profile writes it with debug=2, trimmed: the writer
// itself, a goroutine that is merely waiting, and leaked goroutines with
// the header variants the runtime prints.
const traceback = `goroutine 1 [running]:
runtime/pprof.writeGoroutineStacks({0x514978, 0x82b18208018})
	/usr/local/go/src/runtime/pprof/pprof.go:819 +0x6b
main.main()
	/src/app/main.go:22 +0xe5

goroutine 5 [chan receive]:
main.ticker()
	/src/app/main.go:40 +0x54
created by main.main in goroutine 1
	/src/app/main.go:14 +0x36

goroutine 19 [chan send (leaked)]:
main.main.func1()
	/src/app/main.go:17 +0x1e
created by main.main in goroutine 1
	/src/app/main.go:16 +0x7f

goroutine 22 [sync.WaitGroup.Wait (leaked), 3 minutes]:
sync.runtime_SemacquireWaitGroup(0x7f72555a1a00?, 0x20?)
	/usr/local/go/src/runtime/sema.go:114 +0x2e
sync.(*WaitGroup).Wait(0x210766986020)
	/usr/local/go/src/sync/waitgroup.go:206 +0x85
example.com/app/pool.(*Pool).Close(...)
	/src/app/pool/pool.go:31
example.com/app/pool.(*Pool).loop(0x210766986000)
	/src/app/pool/pool.go:52 +0x1b
created by example.com/app/pool.New in goroutine 1
	/src/app/pool/pool.go:20 +0x51

goroutine 23 gp=0xc000003340 m=nil [chan receive (nil chan) (leaked), locked to thread]:
main.nilRecv()
	/src/app/main.go:60 +0x1b fp=0xc00004a7d0 sp=0xc00004a7b8 pc=0x47c6fb
...additional frames elided...
created by main.main in goroutine 1
	/src/app/main.go:58 +0x2a

goroutine 31 [sync.Mutex.Lock (leaked)] {leaktest: TestA, "odd] {key": "x"}:
internal/sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)
	/usr/local/go/src/runtime/sema.go:95 +0x25
sync.(*Mutex).Lock(...)
	/usr/local/go/src/sync/mutex.go:46
main.lockIt.func1()
	/src/app/main.go:70 +0x36
created by main.lockIt in goroutine 30
	/src/app/main.go:69 +0x7f
[originating from goroutine 30]:
main.lockIt(...)
	/src/app/main.go:69 +0x7f
created by main.main
	/src/app/main.go:66 +0x2a
[originating from goroutine 1]:
main.main(...)
	/src/app/main.go:66 +0x2a
`

func TestParse(t *testing.T) {
	main := func(fn string, line int) Frame { return Frame{Function: fn, File: "/src/app/main.go", Line: line} }
	pool := func(fn string, line int) Frame { return Frame{Function: fn, File: "/src/app/pool/pool.go", Line: line} }
	want := []Goroutine{
		{
			ID:        19,
			Reason:    "chan send",
			Blocked:   main("main.main.func1", 17),
			Stack:     []Frame{main("main.main.func1", 17)},
			CreatedBy: main("main.main", 16),
			Creator:   1,
			Leaked:    true,
		},
		{
			ID:      22,
			Reason:  "sync.WaitGroup.Wait",
			Blocked: pool("example.com/app/pool.(*Pool).Close", 31),
			Stack: []Frame{
				{Function: "sync.runtime_SemacquireWaitGroup", File: "/usr/local/go/src/runtime/sema.go", Line: 114},
				{Function: "sync.(*WaitGroup).Wait", File: "/usr/local/go/src/sync/waitgroup.go", Line: 206},
				pool("example.com/app/pool.(*Pool).Close", 31),
				pool("example.com/app/pool.(*Pool).loop", 52),
			},
			CreatedBy: pool("example.com/app/pool.New", 20),
			Creator:   1,
			Leaked:    true,
		},
		{
			ID:        23,
			Reason:    "chan receive (nil chan)",
			Blocked:   main("main.nilRecv", 60),
			Stack:     []Frame{main("main.nilRecv", 60)},
			CreatedBy: main("main.main", 58),
			Creator:   1,
			Leaked:    true,
		},
		{
			ID:      31,
			Reason:  "sync.Mutex.Lock",
			Blocked: main("main.lockIt.func1", 70),
			Stack: []Frame{
				{Function: "internal/sync.runtime_SemacquireMutex", File: "/usr/local/go/src/runtime/sema.go", Line: 95},
				{Function: "sync.(*Mutex).Lock", File: "/usr/local/go/src/sync/mutex.go", Line: 46},
				main("main.lockIt.func1", 70),
			},
			CreatedBy: main("main.lockIt", 69),
			Creator:   30,
			Ancestors: []int64{30, 1},
			Labels:    map[string]string{"leaktest": "TestA", "odd] {key": "x"},
			Leaked:    true,
		},
	}
	if got := parse(traceback); !reflect.DeepEqual(got, want) {
		t.Errorf("parse:\ngot  %+v\nwant %+v", got, want)
	}
}

// TestParseAll checks the goroutines that are not leaked: their status
// and the creators that link the leaked ones to them.
func TestParseAll(t *testing.T) {
	type brief struct {
		id, creator int64
		reason      string
		leaked      bool
	}
	var got []brief
	for _, g := range parseAll(traceback) {
		got = append(got, brief{g.ID, g.Creator, g.Reason, g.Leaked})
	}
	want := []brief{
		{1, 0, "running", false},
		{5, 1, "chan receive", false},
		{19, 1, "chan send", true},
		{22, 1, "sync.WaitGroup.Wait", true},
		{23, 1, "chan receive (nil chan)", true},
		{31, 30, "sync.Mutex.Lock", true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseAll:\ngot  %+v\nwant %+v", got, want)
	}
}

func TestInStd(t *testing.T) {
	for fn, want := range map[string]bool{
		"sync.(*WaitGroup).Wait":                        true,
		"internal/sync.(*Mutex).lockSlow":               true,
		"main.main.func1":                               false,
		"main.(*Pool).loop":                             false,
		"command-line-arguments.f":                      false,
		"golang.org/x/sync/errgroup.(*Group).Wait":      false,
		"github.com/a/b.lines[...].func1":               false,
		"github.com/a/b_test.TestLeak.func1":            false,
		"net/http.(*persistConn).readLoop":              true,
		"example.com/app/pool.(*Pool).loop.gowrap1":     false,
		"testing.tRunner":                               true,
		"github.com/goroutineleak/goroutineleak/x.(*T)": false,
	} {
		if got := inStd(fn); got != want {
			t.Errorf("inStd(%q) = %v, want %v", fn, got, want)
		}
	}
}

// leakOne starts a goroutine that sends on a channel no one else holds and
// returns the line of the send.
func leakOne() int {
	ch := make(chan int)
	_, _, line, _ := runtime.Caller(0)
	go func() { ch <- 1 }() //goroutineleak:ignore the leak this test makes on purpose, for Leaked to find
	return line + 1
}

// TestLeaked runs Leaked in this test binary: it must find a goroutine
// leaked here, or say cleanly that the binary has no profile.
func TestLeaked(t *testing.T) {
	line := leakOne()
	leaked, err := Leaked()
	if errors.Is(err, ErrNoProfile) {
		if pprof.Lookup("goroutineleak") != nil {
			t.Fatal("Leaked returned ErrNoProfile, but the profile exists")
		}
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	_, file, _, _ := runtime.Caller(0)
	for _, g := range leaked {
		if g.Blocked.File == file && g.Blocked.Line == line {
			if g.Reason != "chan send" {
				t.Errorf("wait reason %q, want %q", g.Reason, "chan send")
			}
			if want := "github.com/goroutineleak/goroutineleak/internal/leakcheck.leakOne"; g.CreatedBy.Function != want {
				t.Errorf("created by %q, want %q", g.CreatedBy.Function, want)
			}
			return
		}
	}
	t.Errorf("no leaked goroutine blocked at %s:%d; Leaked reported %s", file, line, DescribeAll(leaked))
}

// Describe and DescribeAll word leaked goroutines for the tests, these and
// fixtures_test.go's.
func Describe(g Goroutine) string {
	return fmt.Sprintf("goroutine %d [%s] at %s, created by %s", g.ID, g.Reason, g.Blocked, g.CreatedBy)
}

func DescribeAll(gs []Goroutine) string {
	if len(gs) == 0 {
		return "none"
	}
	var parts []string
	for _, g := range gs {
		parts = append(parts, Describe(g))
	}
	return strings.Join(parts, "; ")
}

// TestParseHeaderLabels reads the labels of both Go versions' headers.
func TestParseHeaderLabels(t *testing.T) {
	for header, want := range map[string]map[string]string{
		// Go 1.26
		`goroutine 7 [chan send (leaked) labels:{"leaktest": "t3", "a,b": "c}]"}]:`: {"leaktest": "t3", "a,b": "c}]"},
		`goroutine 7 [chan receive labels:{"leaktest": "t3"}]:`:                     {"leaktest": "t3"},
		// Go 1.27
		`goroutine 7 [chan send (leaked), 2 minutes] {leaktest: t3, "a b": x.y/z_1}:`: {"leaktest": "t3", "a b": "x.y/z_1"},
		`goroutine 7 [chan send (leaked)]:`:                                           nil,
	} {
		g, ok := parseHeader(header)
		if !ok || !reflect.DeepEqual(g.Labels, want) || g.ID != 7 || !strings.HasPrefix(g.Reason, "chan ") || strings.Contains(g.Reason, "label") {
			t.Errorf("parseHeader(%s) = %+v, %v; want the labels %v", header, g, ok, want)
		}
	}
	for _, bad := range []string{
		`goroutine 7 [chan send (leaked)] {leaktest: t3:`,
		`goroutine 7 [chan send (leaked)] {leaktest t3}:`,
		`goroutine 7 [chan send labels:{"leaktest": "t3"}:`,
	} {
		if g, ok := parseHeader(bad); ok {
			t.Errorf("parseHeader(%s) = %+v, want not a header", bad, g)
		}
	}
}

// TestTracebackLabels checks that the running Go prints a goroutine's
// labels in a form parseAll reads, once withTracebackLabels asks for them,
// and that GODEBUG is as it was afterwards.
func TestTracebackLabels(t *testing.T) {
	before, set := os.LookupEnv("GODEBUG")
	var text string
	pprof.Do(t.Context(), pprof.Labels("leaktest", "t3", "odd key", `a "b"`), func(context.Context) {
		if err := withTracebackLabels(func() error {
			buf := make([]byte, 1<<16)
			text = string(buf[:runtime.Stack(buf, false)])
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})
	if after, setAfter := os.LookupEnv("GODEBUG"); after != before || setAfter != set {
		t.Errorf("GODEBUG %q (set: %v) afterwards, want %q (set: %v)", after, setAfter, before, set)
	}
	all := parseAll(text)
	want := map[string]string{"leaktest": "t3", "odd key": `a "b"`}
	if len(all) != 1 || !reflect.DeepEqual(all[0].Labels, want) {
		t.Errorf("labels %+v, want %v, from:\n%s", all, want, text)
	}
}

// TestAlive finds this test's goroutine, with its labels, and a goroutine
// it started, none of them leaked.
func TestAlive(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	// A label of this run's own: with -count, the goroutines of earlier
	// runs may not have ended yet.
	label := fmt.Sprintf("TestAlive-%d", time.Now().UnixNano())
	pprof.Do(t.Context(), pprof.Labels("leaktest", label), func(context.Context) {
		go func() { <-release }()
	})
	var labelled int
	for _, g := range Alive() {
		// Only this test's goroutine is asked about: another test of the
		// binary may have leaked goroutines on purpose, which an earlier
		// leak-finding collection has marked for good.
		if g.Labels["leaktest"] != label {
			continue
		}
		labelled++
		if g.Leaked {
			t.Errorf("goroutine %d marked leaked, though Alive runs no leak-finding collection", g.ID)
		}
	}
	if labelled != 1 {
		t.Errorf("%d goroutines labelled leaktest=%s, want the one started under the label", labelled, label)
	}
}
