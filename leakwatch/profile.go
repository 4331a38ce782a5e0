package leakwatch

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"runtime/pprof"
	"slices"
	"strings"

	"github.com/google/pprof/profile"
)

// A profileWriter writes a profile: *pprof.Profile, or a test's stand-in.
type profileWriter interface {
	WriteTo(w io.Writer, debug int) error
}

// lookupProfile returns the goroutineleak profile, or nil if this binary
// has none.
func lookupProfile() profileWriter {
	if p := pprof.Lookup("goroutineleak"); p != nil {
		return p
	}
	return nil
}

// A site is where leaked goroutines block, and how many do.
type site struct {
	Function, File string
	Line           int // -1 for the sum of the sites beyond the top ones
	Reason         string
	Labels         []string // the values of Options.PprofLabels, in order
	Count          int
}

func (s site) key() string {
	return fmt.Sprintf("%s\x00%s\x00%d\x00%s\x00%s", s.Function, s.File, s.Line, s.Reason, strings.Join(s.Labels, "\x00"))
}

// detectSites writes the profile, which runs the leak-detecting GC, and
// groups its goroutines by site. The debug=0 form is the protocol buffer
// of the leaked goroutines only, with their pprof labels; the debug=2 text
// would carry the wait reason but also every other goroutine's stack.
func detectSites(prof profileWriter, labelKeys []string) ([]site, int, error) {
	var buf bytes.Buffer
	if err := prof.WriteTo(&buf, 0); err != nil {
		return nil, 0, fmt.Errorf("leakwatch: writing the goroutineleak profile: %w", err)
	}
	p, err := profile.Parse(&buf)
	if err != nil {
		return nil, 0, fmt.Errorf("leakwatch: parsing the goroutineleak profile: %w", err)
	}
	bySite := map[string]*site{}
	total := 0
	for _, sample := range p.Sample {
		n := 1
		if len(sample.Value) > 0 {
			n = int(sample.Value[0])
		}
		s := siteOf(sample)
		for _, k := range labelKeys {
			v := ""
			if vs := sample.Label[k]; len(vs) > 0 {
				v = vs[0]
			}
			s.Labels = append(s.Labels, v)
		}
		total += n
		if prev, ok := bySite[s.key()]; ok {
			prev.Count += n
			continue
		}
		s.Count = n
		bySite[s.key()] = &s
	}
	sites := make([]site, 0, len(bySite))
	for _, s := range bySite {
		sites = append(sites, *s)
	}
	return sites, total, nil
}

// siteOf places a sample: its blocking frame is the innermost frame
// outside the standard library (a goroutine waiting in
// sync.(*WaitGroup).Wait is placed on the line that calls Wait), or the
// innermost frame if all are in it; its reason comes from the runtime
// function it parks in.
func siteOf(sample *profile.Sample) site {
	var frames []profile.Line
	for _, loc := range sample.Location {
		frames = append(frames, loc.Line...) // innermost first, inlined calls included
	}
	s := site{Reason: waitReason(frames)}
	for _, f := range frames {
		if f.Function != nil && !inStd(f.Function.Name) {
			s.Function, s.File, s.Line = f.Function.Name, f.Function.Filename, int(f.Line)
			return s
		}
	}
	for _, f := range frames {
		if f.Function != nil && !strings.HasPrefix(f.Function.Name, "runtime.") {
			s.Function, s.File, s.Line = f.Function.Name, f.Function.Filename, int(f.Line)
			return s
		}
	}
	if len(frames) > 0 && frames[0].Function != nil {
		s.Function, s.File, s.Line = frames[0].Function.Name, frames[0].Function.Filename, int(frames[0].Line)
	}
	return s
}

// waitReasons name the runtime's wait reason after the function a
// goroutine parks in. The proto profile has no wait reason; these are the
// reasons a leaked goroutine can have. A receive from a nil channel parks
// in chanrecv too, so it is "chan receive" here, not the traceback's
// "chan receive (nil chan)".
var waitReasons = []struct{ function, reason string }{
	{"runtime.chansend", "chan send"},
	{"runtime.chanrecv", "chan receive"},
	{"runtime.selectgo", "select"},
	{"runtime.block", "select (no cases)"},
	{"sync.(*Mutex).Lock", "sync.Mutex.Lock"},
	{"sync.(*RWMutex).RLock", "sync.RWMutex.RLock"},
	{"sync.(*RWMutex).Lock", "sync.RWMutex.Lock"},
	{"sync.(*WaitGroup).Wait", "sync.WaitGroup.Wait"},
	{"sync.(*Cond).Wait", "sync.Cond.Wait"},
}

func waitReason(frames []profile.Line) string {
	for _, f := range frames {
		if f.Function == nil {
			continue
		}
		for _, r := range waitReasons {
			if f.Function.Name == r.function {
				return r.reason
			}
		}
	}
	return "other"
}

// topSites keeps the max-1 sites with the most goroutines (all of them if
// there are at most max) and sums the rest under one site of Other.
func topSites(sites []site, max, nLabels int) []site {
	slices.SortFunc(sites, func(a, b site) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return strings.Compare(a.key(), b.key())
	})
	if len(sites) <= max {
		return sites
	}
	rest := site{Function: Other, File: Other, Line: -1, Reason: Other}
	for range nLabels {
		rest.Labels = append(rest.Labels, Other)
	}
	for _, s := range sites[max-1:] {
		rest.Count += s.Count
	}
	return append(sites[:max-1:max-1], rest)
}

// inStd reports whether a function belongs to the standard library, by the
// rule cmd/go uses for import paths (internal/leakcheck's rule): the first
// path element of a standard package has no dot. Package main is the
// exception.
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
