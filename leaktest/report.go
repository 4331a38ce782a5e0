package leaktest

import (
	"fmt"
	"os"
	"strings"

	"github.com/goroutineleak/goroutineleak/internal/leakcheck"
)

// advice says, by the runtime's wait reason, why nothing will wake the
// goroutine and what usually fixes it. A reason missing here gets no
// advice.
var advice = map[string]string{
	"chan send":               "nothing will receive what it sends: receive on every path, give the channel a buffer for every value sent, or let the sender also select on ctx.Done() or a done channel",
	"chan receive":            "nothing will send or close: close the channel (or send) on every path, or let the receiver also select on ctx.Done() or a done channel",
	"chan send (nil chan)":    "the channel is nil, and an operation on a nil channel blocks for ever",
	"chan receive (nil chan)": "the channel is nil, and an operation on a nil channel blocks for ever",
	"select":                  "no case can ever proceed: add a case on ctx.Done() or on a done channel that the owner closes on every path",
	"select (no cases)":       "an empty select blocks for ever",
	"sync.Mutex.Lock":         "the lock is never released: unlock on every path (defer mu.Unlock())",
	"sync.RWMutex.Lock":       "a lock is never released: unlock on every path (defer mu.Unlock() or mu.RUnlock())",
	"sync.RWMutex.RLock":      "the write lock is never released: unlock on every path (defer mu.Unlock())",
	"sync.WaitGroup.Wait":     "Done is called fewer times than Add: call Done on every path (defer wg.Done())",
	"sync.Cond.Wait":          "nothing will Signal or Broadcast the condition",
}

// linterURL is where the static linter's README says what it reports.
const linterURL = "https://github.com/goroutineleak/goroutineleak#what-it-reports"

// report words the leaks of one test, or those Main finds after the
// package's tests passed when test is "".
func report(test string, leaks []leakcheck.Goroutine) string {
	var b strings.Builder
	noun, them := "goroutine", "it"
	if len(leaks) > 1 {
		noun, them = "goroutines", "them"
	}
	what := fmt.Sprintf("%s leaked %d %s", test, len(leaks), noun)
	if test == "" {
		// Main reports after the testing package's PASS.
		what = fmt.Sprintf("the tests of this package passed, but leaked %d %s that no Check reported", len(leaks), noun)
	}
	fmt.Fprintf(&b, "leaktest: %s: the runtime's goroutineleak profile finds %s blocked with nothing left that can wake %[2]s\n", what, them)
	src := sources{}
	for _, g := range leaks {
		fmt.Fprintf(&b, "\ngoroutine %d [%s]:\n", g.ID, g.Reason)
		fmt.Fprintf(&b, "\tblocked at %s\n", at(g.Blocked))
		if g.CreatedBy != (leakcheck.Frame{}) {
			fmt.Fprintf(&b, "\tcreated at %s\n", at(g.CreatedBy))
		}
		if started := g.Labels[labelKey]; started != "" && started != test {
			// A subtest's, or for Main a test's, by the label Check gave it.
			fmt.Fprintf(&b, "\tstarted by %s\n", started)
		}
		if a, ok := advice[g.Reason]; ok {
			fmt.Fprintf(&b, "\tfix: %s\n", a)
		}
		if pos, reason, ok := src.ignored(g); ok {
			fmt.Fprintf(&b, "\tgoroutineleak, the static linter, reported this leak, and %s silences it: //goroutineleak:ignore %s\n", pos, reason)
			b.WriteString("\t\tthe runtime has now seen it leak: fix it, or say in the directive why the leak is harmless\n")
		}
	}
	fmt.Fprintf(&b, "\ngoroutineleak, the static linter, finds many leaks like these before the code runs: goroutineleak ./... (%s)", linterURL)
	return b.String()
}

// at formats a frame as "file:line (function)".
func at(f leakcheck.Frame) string {
	return fmt.Sprintf("%s:%d (%s)", f.File, f.Line, f.Function)
}

// sources caches the lines of the source files a report reads, nil for a
// file it could not read.
type sources map[string][]string

// ignored finds a //goroutineleak:ignore directive with a reason that
// silences the static linter's report of g: on the blocking line or the
// go statement, or on the line above either. It returns the directive's
// position and its reason. It does not look at doc comments, which
// silence a whole function.
func (s sources) ignored(g leakcheck.Goroutine) (pos, reason string, ok bool) {
	for _, f := range []leakcheck.Frame{g.Blocked, g.CreatedBy} {
		lines := s.lines(f.File)
		for _, n := range []int{f.Line, f.Line - 1} {
			if n < 1 || n > len(lines) {
				continue
			}
			_, directive, found := strings.Cut(lines[n-1], "//goroutineleak:ignore")
			if reason := strings.TrimSpace(directive); found && reason != "" && (directive[0] == ' ' || directive[0] == '\t') {
				return fmt.Sprintf("%s:%d", f.File, n), reason, true
			}
		}
	}
	return "", "", false
}

func (s sources) lines(file string) []string {
	if file == "" {
		return nil
	}
	if lines, ok := s[file]; ok {
		return lines
	}
	var lines []string
	if data, err := os.ReadFile(file); err == nil {
		lines = strings.Split(string(data), "\n")
	}
	s[file] = lines
	return lines
}
