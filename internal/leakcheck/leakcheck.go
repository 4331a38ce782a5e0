// Package leakcheck asks the running program which of its goroutines have
// leaked, using runtime/pprof's "goroutineleak" profile.
//
// Writing that profile runs a garbage collection that finds goroutines
// blocked on a channel or a sync primitive that no runnable goroutine (and
// no global) can reach any more: nothing can ever wake them, so every
// goroutine it reports is a proven leak. The converse does not hold. A
// goroutine spinning in a loop, sleeping, waiting on a timer or in a system
// call is not blocked in that sense and is never reported, however
// pointless its work; nor is one whose channel is still reachable, say from
// a global or a live parent context.
//
// The profile is built in from Go 1.27. Go 1.26 has it only in programs
// built with GOEXPERIMENT=goroutineleakprofile; elsewhere [Leaked] returns
// [ErrNoProfile].
package leakcheck

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrNoProfile is returned by [Leaked] when the program was built without
// the goroutineleak profile: by Go 1.26 without
// GOEXPERIMENT=goroutineleakprofile, or by an older Go.
var ErrNoProfile = errors.New(`leakcheck: runtime/pprof has no "goroutineleak" profile (needs Go 1.27, or Go 1.26 built with GOEXPERIMENT=goroutineleakprofile)`)

// A Goroutine is one leaked goroutine.
type Goroutine struct {
	ID int64
	// Reason is the runtime's wait reason without the "(leaked)" mark:
	// "chan send", "chan receive", "select", "sync.WaitGroup.Wait",
	// "chan receive (nil chan)", ...
	Reason string
	// Blocked is the frame where the goroutine blocks: the innermost frame
	// outside the standard library, so a goroutine waiting in
	// sync.(*WaitGroup).Wait is placed on the line that calls Wait. It is
	// the innermost frame if every frame is in the standard library.
	Blocked Frame
	// Stack is the whole stack, innermost frame first, as the runtime
	// printed it (runtime-internal frames are already elided).
	Stack []Frame
	// CreatedBy is the go statement that started the goroutine; its
	// Function is the function containing that statement. It is the zero
	// Frame when the traceback does not say.
	CreatedBy Frame
	// Creator is the ID of the goroutine that ran that go statement
	// ("created by ... in goroutine N"), 0 when the traceback does not say.
	// That goroutine may have exited since.
	Creator int64 `json:",omitempty"`
	// Ancestors are the IDs of the goroutine's creator, its creator's
	// creator and so on, nearest first, when the program runs with
	// GODEBUG=tracebackancestors=N (at most N of them); nil otherwise.
	// Unlike Creator's chain through the other goroutines of a profile,
	// they name ancestors that have exited.
	Ancestors []int64 `json:",omitempty"`
	// Labels are the goroutine's pprof labels (runtime/pprof.Do,
	// SetGoroutineLabels), which every goroutine inherits from the one
	// that started it; nil when it has none.
	Labels map[string]string `json:",omitempty"`
	// Leaked says that the profile marks the goroutine leaked. [Leaked]
	// returns only such goroutines; [Goroutines] returns all of them, and
	// for the others Reason is their status ("running", "chan receive").
	Leaked bool
}

// A Frame is one function activation in a goroutine's traceback.
type Frame struct {
	Function string // package-qualified, e.g. "main.(*Pool).loop" or "main.main.func1"
	File     string // as the binary records it: absolute unless built with -trimpath
	Line     int
}

// String formats the frame as "function file:line".
func (f Frame) String() string {
	return fmt.Sprintf("%s %s:%d", f.Function, f.File, f.Line)
}

// A goroutine that has been started but has not yet reached its blocking
// operation is runnable, not blocked, and the profile cannot count it as
// leaked; worse, while it runs it keeps the channels it refers to
// reachable, hiding the goroutines blocked on them. So Leaked first lets
// the other goroutines run: it yields at least minYields times, as the
// runtime's own test of the profile does, and then until the scheduler
// metrics say that no other goroutine is running or waiting to run, for at
// most settleTime (a goroutine that spins for ever never settles).
const (
	minYields  = 10
	settleTime = 100 * time.Millisecond
)

// Leaked writes the goroutineleak profile of the running program and
// returns the goroutines it reports as leaked, in the runtime's order.
// It returns [ErrNoProfile] if the profile does not exist.
//
// Leaked first lets the other goroutines run until none of them is
// runnable, for at most a tenth of a second, so that goroutines just
// started reach their blocking operation. It does not wait for goroutines
// that sleep or wait on a timer before they block: a caller expecting such
// a leak must let them get there first.
//
// Leaked sees the whole program. It reports goroutines leaked by any code,
// not only the caller's, and a goroutine still running elsewhere (a
// parallel test, say) keeps what it refers to reachable, so goroutines
// blocked on that are not reported yet. A leaked goroutine stays leaked,
// so a later call reports it again.
// Writing the profile runs a full garbage collection; Leaked is meant for
// tests and diagnostics, not for hot paths.
func Leaked() ([]Goroutine, error) {
	all, err := Goroutines()
	if err != nil {
		return nil, err
	}
	return leakedOnly(all), nil
}

// Goroutines is [Leaked], but it returns every goroutine of the program,
// leaked or not, in the runtime's order; [Goroutine.Leaked] tells which
// the profile reports. The goroutines that are not leaked complete the
// chains of [Goroutine.Creator] while they live.
func Goroutines() ([]Goroutine, error) {
	prof := pprof.Lookup("goroutineleak")
	if prof == nil {
		return nil, ErrNoProfile
	}
	settle()
	// debug=2 prints every goroutine in the panic traceback format, the
	// leaked ones marked "(leaked)"; it is the only form that carries the
	// wait reason, the creating go statement and the goroutine's ID along
	// with its labels.
	var buf bytes.Buffer
	err := withTracebackLabels(func() error { return prof.WriteTo(&buf, 2) })
	if err != nil {
		return nil, fmt.Errorf("leakcheck: writing the goroutineleak profile: %w", err)
	}
	return parseAll(buf.String()), nil
}

// tracebackLabels serialises the changes of GODEBUG that
// withTracebackLabels makes.
var tracebackLabels sync.Mutex

// withTracebackLabels runs write with GODEBUG's tracebacklabels=1, under
// which a traceback prints each goroutine's pprof labels in its header,
// and then restores GODEBUG. The runtime reads that setting again whenever
// GODEBUG changes. Its default is 0 in Go 1.26, and in Go 1.27 for a main
// module whose go.mod says an older go.
func withTracebackLabels(write func() error) error {
	tracebackLabels.Lock()
	defer tracebackLabels.Unlock()
	old, set := os.LookupEnv("GODEBUG")
	if strings.HasSuffix(","+old, ",tracebacklabels=1") {
		return write()
	}
	with := "tracebacklabels=1"
	if old != "" {
		with = old + "," + with // the last setting of a name wins
	}
	if err := os.Setenv("GODEBUG", with); err != nil {
		return write()
	}
	defer func() {
		// Restoring a value that was set a moment ago cannot fail.
		if set {
			_ = os.Setenv("GODEBUG", old)
		} else {
			_ = os.Unsetenv("GODEBUG")
		}
	}()
	return write()
}

// Alive returns every goroutine of the program, as [Goroutines] does but
// without the garbage collection that finds leaks, so none is marked
// Leaked. It works without the profile too. It costs a traceback of every
// goroutine, much less than Goroutines: a caller can ask it first whether
// there is anything to check.
func Alive() []Goroutine {
	var text []byte
	_ = withTracebackLabels(func() error { // a traceback into memory cannot fail
		text = make([]byte, 1<<16)
		for {
			n := runtime.Stack(text, true)
			if n < len(text) {
				text = text[:n]
				return nil
			}
			text = make([]byte, 2*len(text))
		}
	})
	return parseAll(string(text))
}

func leakedOnly(all []Goroutine) []Goroutine {
	var leaked []Goroutine
	for _, g := range all {
		if g.Leaked {
			leaked = append(leaked, g)
		}
	}
	return leaked
}

// settle yields until no other goroutine is running or runnable; see
// minYields.
func settle() {
	samples := []metrics.Sample{
		{Name: "/sched/goroutines/runnable:goroutines"},
		{Name: "/sched/goroutines/running:goroutines"},
	}
	deadline := time.Now().Add(settleTime)
	for i := 0; ; i++ {
		runtime.Gosched()
		if i+1 < minYields {
			continue
		}
		metrics.Read(samples)
		if samples[0].Value.Kind() != metrics.KindUint64 || samples[1].Value.Kind() != metrics.KindUint64 {
			return // a Go without these metrics: the yields are all we can do
		}
		// The caller itself is running.
		if samples[0].Value.Uint64() == 0 && samples[1].Value.Uint64() <= 1 {
			return
		}
		if time.Now().After(deadline) {
			return
		}
	}
}

// parse extracts the leaked goroutines from a traceback of all goroutines;
// see parseAll.
func parse(text string) []Goroutine {
	return leakedOnly(parseAll(text))
}

// parseAll extracts every goroutine from a traceback of all goroutines
// such as runtime.Stack(buf, true) writes:
//
//	goroutine 7 [chan send (leaked), 2 minutes]:
//	main.main.func1()
//		/src/main.go:17 +0x1e
//	created by main.main in goroutine 1
//		/src/main.go:16 +0x7f
//	[originating from goroutine 1]:
//	main.main(...)
//		/src/main.go:16
//
// The last two lines are there under GODEBUG=tracebackancestors=N. Those
// marked "(leaked)" are the leaked goroutines.
func parseAll(text string) []Goroutine {
	var all []Goroutine
	for _, block := range strings.Split(text, "\n\n") {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		g, ok := parseHeader(lines[0])
		if !ok {
			continue
		}
		for i := 1; i < len(lines); i++ {
			fn := lines[i]
			if strings.HasPrefix(fn, "\t") || i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "\t") {
				// "...additional frames elided..." and the like.
				continue
			}
			i++
			file, line := parsePosition(lines[i])
			if name, ok := strings.CutPrefix(fn, "created by "); ok {
				// "created by main.main in goroutine 1"
				name, creator, _ := strings.Cut(name, " in goroutine ")
				g.CreatedBy = Frame{Function: name, File: file, Line: line}
				g.Creator, _ = strconv.ParseInt(creator, 10, 64)
				g.Ancestors = parseAncestors(lines[i+1:])
				break
			}
			g.Stack = append(g.Stack, Frame{Function: funcName(fn), File: file, Line: line})
		}
		setBlocked(&g)
		all = append(all, g)
	}
	return all
}

// setBlocked sets g.Blocked from g.Stack: the innermost frame outside the
// standard library, or the innermost frame that is not the runtime's if
// every frame is in it (a traceback elides the runtime's frames, a proto
// profile does not), or the innermost.
func setBlocked(g *Goroutine) {
	for _, f := range g.Stack {
		if !inStd(f.Function) {
			g.Blocked = f
			return
		}
	}
	for _, f := range g.Stack {
		if !strings.HasPrefix(f.Function, "runtime.") {
			g.Blocked = f
			return
		}
	}
	if len(g.Stack) > 0 {
		g.Blocked = g.Stack[0]
	}
}

// parseAncestors reads the IDs in the "[originating from goroutine N]:"
// lines that follow a goroutine's "created by" frame.
func parseAncestors(lines []string) []int64 {
	var ids []int64
	for _, l := range lines {
		rest, ok := strings.CutPrefix(l, "[originating from goroutine ")
		if !ok {
			continue
		}
		if id, err := strconv.ParseInt(strings.TrimSuffix(rest, "]:"), 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// parseHeader reads "goroutine 7 [chan send (leaked), 2 minutes]:" and
// reports whether it is a goroutine's header; Leaked says whether the
// goroutine is marked leaked. With GOTRACEBACK=system the header also
// carries "gp=... m=..." between the ID and the bracket. Under
// GODEBUG=tracebacklabels=1 a goroutine with pprof labels has them in its
// header: after the bracket from Go 1.27, ` {key: value}` with a key or
// value quoted when it needs to be, and inside it in Go 1.26,
// ` labels:{"key": "value"}`.
func parseHeader(line string) (Goroutine, bool) {
	rest, ok := strings.CutPrefix(line, "goroutine ")
	if !ok || !strings.HasSuffix(rest, ":") {
		return Goroutine{}, false
	}
	idText, rest, _ := strings.Cut(rest, " ")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return Goroutine{}, false
	}
	_, rest, ok = strings.Cut(rest, "[")
	if !ok {
		return Goroutine{}, false
	}
	// No wait reason holds a bracket or a brace; labels may, so the
	// status ends where the labels start or at the first closing bracket.
	var labels map[string]string
	status, after, ok := strings.Cut(rest, "]")
	if i := strings.Index(rest, " labels:{"); i >= 0 && i < len(status) {
		status = rest[:i]
		labels, after, ok = parseLabels(rest[i+len(" labels:"):])
		if ok {
			after, ok = strings.CutPrefix(after, "]")
		}
	} else if ok && strings.HasPrefix(after, " {") {
		labels, after, ok = parseLabels(after[1:])
	}
	if !ok || after != ":" {
		return Goroutine{}, false
	}
	// The mark follows the wait reason, which may itself hold parentheses
	// ("chan receive (nil chan)"); what follows the mark (", 2 minutes",
	// ", locked to thread") is not part of the reason.
	reason, _, leaked := strings.Cut(status, " (leaked)")
	if !leaked {
		// "chan receive, 2 minutes": the status alone.
		reason, _, _ = strings.Cut(status, ",")
	}
	return Goroutine{ID: id, Reason: reason, Leaked: leaked, Labels: labels}, true
}

// parseLabels reads `{key: value, "k 2": "v 2"}` at the start of s, each
// key and value bare or a quoted Go string, and returns what follows it.
func parseLabels(s string) (labels map[string]string, rest string, ok bool) {
	rest, ok = strings.CutPrefix(s, "{")
	if !ok {
		return nil, s, false
	}
	labels = map[string]string{}
	for !strings.HasPrefix(rest, "}") {
		var key, value string
		if key, rest, ok = labelString(rest); !ok {
			return nil, s, false
		}
		if rest, ok = strings.CutPrefix(rest, ": "); !ok {
			return nil, s, false
		}
		if value, rest, ok = labelString(rest); !ok {
			return nil, s, false
		}
		labels[key] = value
		if after, comma := strings.CutPrefix(rest, ", "); comma {
			rest = after
		} else if !strings.HasPrefix(rest, "}") {
			return nil, s, false
		}
	}
	return labels, rest[1:], true
}

// labelString reads a label's key or value at the start of s: a quoted Go
// string, or a bare one, which never holds the characters around it.
func labelString(s string) (str, rest string, ok bool) {
	if strings.HasPrefix(s, `"`) {
		quoted, err := strconv.QuotedPrefix(s)
		if err != nil {
			return "", s, false
		}
		str, err = strconv.Unquote(quoted)
		return str, s[len(quoted):], err == nil
	}
	end := strings.IndexAny(s, ":,}")
	if end < 0 {
		return "", s, false
	}
	return s[:end], s[end:], true
}

// parsePosition reads "\t/src/main.go:17 +0x1e" (GOTRACEBACK=system adds
// " fp=... sp=... pc=...").
func parsePosition(line string) (file string, lineNo int) {
	pos := strings.TrimPrefix(line, "\t")
	if i := strings.Index(pos, " +0x"); i >= 0 {
		pos = pos[:i]
	} else if i := strings.Index(pos, " fp="); i >= 0 {
		pos = pos[:i]
	}
	i := strings.LastIndex(pos, ":")
	if i < 0 {
		return pos, 0
	}
	n, err := strconv.Atoi(pos[i+1:])
	if err != nil {
		return pos, 0
	}
	return pos[:i], n
}

// funcName drops the argument list from "main.(*T).m(0xc000010000, ...)".
func funcName(frame string) string {
	if strings.HasSuffix(frame, ")") {
		if i := strings.LastIndex(frame, "("); i > 0 {
			return frame[:i]
		}
	}
	return frame
}

// inStd reports whether a function belongs to the standard library, by the
// rule cmd/go uses for import paths: the first path element of a standard
// package has no dot. Package main (or "command-line-arguments") is the
// exception; a module whose path has no dot in its first element is
// mistaken for the standard library.
func inStd(function string) bool {
	pkg := function
	slash := strings.LastIndex(pkg, "/")
	if i := strings.Index(pkg[slash+1:], "."); i >= 0 {
		pkg = pkg[:slash+1+i]
	}
	if pkg == "main" || pkg == "command-line-arguments" {
		return false
	}
	first, _, _ := strings.Cut(pkg, "/")
	return !strings.Contains(first, ".")
}
