package leakcheck

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// A Site is where goroutines of a saved goroutineleak profile block, and
// how many do.
type Site struct {
	// Blocked is the blocking frame, chosen as [Goroutine.Blocked] is.
	Blocked Frame
	// Reason is the wait reason. A debug=2 profile has the runtime's own;
	// a proto profile has none, so it is named after the function the
	// goroutine parks in: "chan send", "chan receive" (a nil channel
	// too), "select", "select (no cases)", "sync.Mutex.Lock",
	// "sync.WaitGroup.Wait", ... or "" when that is none of them.
	Reason string
	// Stack is the stack of one of the goroutines, innermost frame first.
	Stack []Frame
	// CreatedBy is the go statement of one of them; the zero Frame in a
	// proto profile, which does not record it.
	CreatedBy Frame
	// Count is the number of leaked goroutines at the site.
	Count int
}

// ErrDebug1 is returned by [ReadProfile] for a profile written with
// debug=1, which has neither the wait reasons nor a form worth parsing.
var ErrDebug1 = errors.New(`a debug=1 profile; save it with debug=0 (the protocol buffer) or debug=2 (the traceback text), e.g. curl -o leak.pb.gz "http://HOST/debug/pprof/goroutineleak"`)

// ReadProfile reads a saved goroutineleak profile: the debug=0 protocol
// buffer (gzipped, as runtime/pprof and /debug/pprof/goroutineleak write
// it) or the debug=2 text, which lists every goroutine and marks the
// leaked ones. It returns the leaked goroutines grouped by blocking frame
// and reason, the most goroutines first.
func ReadProfile(data []byte) ([]Site, error) {
	text := string(data)
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return nil, errors.New("an empty file")
	case strings.HasPrefix(text, "goroutineleak profile:") || strings.HasPrefix(text, "goroutine profile:"):
		return nil, ErrDebug1
	case strings.HasPrefix(strings.TrimLeft(text, "\n"), "goroutine "):
		var sites []Site
		for _, g := range parse(text) {
			sites = addSite(sites, Site{Blocked: g.Blocked, Reason: g.Reason, Stack: g.Stack, CreatedBy: g.CreatedBy, Count: 1})
		}
		return sortSites(sites), nil
	}
	samples, err := parseProto(data)
	if err != nil {
		return nil, fmt.Errorf("not a goroutineleak profile, neither its debug=0 protocol buffer nor its debug=2 text: %w", err)
	}
	var sites []Site
	for _, s := range samples {
		g := Goroutine{Stack: s.stack}
		setBlocked(&g)
		sites = addSite(sites, Site{Blocked: g.Blocked, Reason: parkReason(s.stack), Stack: s.stack, Count: s.count})
	}
	return sortSites(sites), nil
}

func addSite(sites []Site, s Site) []Site {
	for i := range sites {
		if sites[i].Blocked == s.Blocked && sites[i].Reason == s.Reason {
			sites[i].Count += s.Count
			return sites
		}
	}
	return append(sites, s)
}

func sortSites(sites []Site) []Site {
	slices.SortStableFunc(sites, func(a, b Site) int { return cmp.Compare(b.Count, a.Count) })
	return sites
}

// parkReasons name a wait reason after the function a goroutine parks in,
// for profiles that do not record the reason.
var parkReasons = []struct{ function, reason string }{
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

func parkReason(stack []Frame) string {
	for _, f := range stack {
		for _, r := range parkReasons {
			if f.Function == r.function {
				return r.reason
			}
		}
	}
	return ""
}
