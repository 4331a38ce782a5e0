package leakwatch

import (
	"context"
	"errors"
	"io"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// These tests leak goroutines in the test process itself, for the
// runtime's profile to find. Leaks stay leaked (go test -count=N runs a
// test again in the same process), so each test checks what its own lines
// gained since it started, and totals only against the sum of all sites.

// needProfile skips a test when this binary has no goroutineleak profile
// (Go 1.26 without GOEXPERIMENT=goroutineleakprofile); CI runs these tests
// under go1.27.3 and fails on a skip.
func needProfile(t *testing.T) {
	t.Helper()
	if pprof.Lookup("goroutineleak") == nil {
		t.Skipf("%s: no goroutineleak profile in this binary (needs Go 1.27, or Go 1.26 with GOEXPERIMENT=goroutineleakprofile)", runtime.Version())
	}
}

// line returns the line of its caller, plus off.
func line(off int) int {
	_, _, l, _ := runtime.Caller(1)
	return l + off
}

// leakSends starts n goroutines that block for ever sending, and returns
// the line where they block.
func leakSends(n int) int {
	for range n {
		ch := make(chan int)
		go func() { ch <- 1 }()
	}
	return line(-2)
}

func leakWaitGroup(n int) int {
	for range n {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { wg.Wait() }()
	}
	return line(-2)
}

func leakLock(n int) int {
	for range n {
		var mu struct {
			sync.Mutex
			p *int // a mutex alone may share a tiny-allocator block, which hides it (see leaktest)
		}
		mu.Lock()
		go func() { mu.Lock() }()
	}
	return line(-2)
}

func leakSelect(n int) int {
	for range n {
		a, b := make(chan int), make(chan int)
		go func() {
			select {
			case <-a:
			case <-b:
			}
		}()
	}
	return line(-6)
}

func leakReceive(n int) int {
	for range n {
		ch := make(chan int)
		go func() { <-ch }()
	}
	return line(-2)
}

// series is one sample of a gathered family.
type series struct {
	labels map[string]string
	value  float64
}

func gather(t *testing.T, c *Collector) map[string][]series {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(c); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]series{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			s := series{labels: map[string]string{}, value: value(m)}
			for _, lp := range m.GetLabel() {
				s.labels[lp.GetName()] = lp.GetValue()
			}
			out[mf.GetName()] = append(out[mf.GetName()], s)
		}
	}
	return out
}

func value(m *dto.Metric) float64 {
	switch {
	case m.Gauge != nil:
		return m.GetGauge().GetValue()
	case m.Counter != nil:
		return m.GetCounter().GetValue()
	}
	return 0
}

func one(t *testing.T, got map[string][]series, name string) float64 {
	t.Helper()
	if len(got[name]) != 1 {
		t.Fatalf("%s: %d series, want 1: %v", name, len(got[name]), got[name])
	}
	return got[name][0].value
}

// atLine sums the leaked goroutines of the by-site series at a line of
// this file.
func atLine(got map[string][]series, l int) (n float64, reasons []string) {
	for _, s := range got["leakwatch_leaked_goroutines_by_site"] {
		if strings.HasSuffix(s.labels["file"], "/leakwatch_test.go") && s.labels["line"] == strconv.Itoa(l) {
			n += s.value
			reasons = append(reasons, s.labels["reason"])
		}
	}
	return n, reasons
}

// settled gathers with a fresh collector until the goroutines just
// started have blocked, at least want[line] at each line (at most 2 s): a goroutine not yet at its
// operation is runnable, not leaked.
func settled(t *testing.T, opts Options, want map[int]float64) map[string][]series {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		got := gather(t, New(opts))
		ok := true
		for l, n := range want {
			if have, _ := atLine(got, l); have < n {
				ok = false
			}
		}
		if ok || time.Now().After(deadline) {
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func sumSites(got map[string][]series) float64 {
	var n float64
	for _, s := range got["leakwatch_leaked_goroutines_by_site"] {
		n += s.value
	}
	return n
}

func TestLeakedBySite(t *testing.T) {
	needProfile(t)
	sendLine, recvLine := leakSends(0), leakReceive(0)
	base := gather(t, New(Options{}))
	sendBase, _ := atLine(base, sendLine)
	recvBase, _ := atLine(base, recvLine)
	leakSends(3)
	leakReceive(1)

	// A slow goroutine that finishes: it waits on done, which a sleeping
	// goroutine closes. The sleeper is not blocked on a channel, so done
	// stays reachable and the waiter is not leaked.
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		<-done
		close(finished)
	}()
	slowLine := line(-3)
	go func() {
		time.Sleep(time.Second)
		close(done)
	}()

	got := settled(t, Options{}, map[int]float64{sendLine: sendBase + 3, recvLine: recvBase + 1})
	if n, reasons := atLine(got, sendLine); n-sendBase != 3 || len(reasons) != 1 || reasons[0] != "chan send" {
		t.Errorf("line %d: %v more leaked (%v), want 3 chan send", sendLine, n-sendBase, reasons)
	}
	if n, reasons := atLine(got, recvLine); n-recvBase != 1 || len(reasons) != 1 || reasons[0] != "chan receive" {
		t.Errorf("line %d: %v more leaked (%v), want 1 chan receive", recvLine, n-recvBase, reasons)
	}
	if n, _ := atLine(got, slowLine); n != 0 {
		t.Errorf("line %d: a slow goroutine that finishes counted as %v leaked", slowLine, n)
	}
	for _, s := range got["leakwatch_leaked_goroutines_by_site"] {
		if s.labels["line"] == strconv.Itoa(sendLine) && !strings.HasPrefix(s.labels["function"], "github.com/goroutineleak/goroutineleak/leakwatch.leakSends") {
			t.Errorf("send site's function is %q", s.labels["function"])
		}
	}
	total := one(t, got, "leakwatch_leaked_goroutines")
	if total < 4 || total != sumSites(got) {
		t.Errorf("leakwatch_leaked_goroutines = %v, want at least 4 and the sum of the sites, %v", total, sumSites(got))
	}
	if v := one(t, got, "leakwatch_profile_available"); v != 1 {
		t.Errorf("leakwatch_profile_available = %v, want 1", v)
	}
	if v := one(t, got, "leakwatch_last_detection_duration_seconds"); v <= 0 {
		t.Errorf("leakwatch_last_detection_duration_seconds = %v", v)
	}
	if v := one(t, got, "leakwatch_last_detection_timestamp_seconds"); time.Since(time.Unix(int64(v), 0)) > time.Minute {
		t.Errorf("leakwatch_last_detection_timestamp_seconds = %v, not now", v)
	}
	for _, name := range []string{"leakwatch_goroutines", "leakwatch_goroutines_waiting", "leakwatch_goroutines_created_total"} {
		if v := one(t, got, name); v < 4 {
			t.Errorf("%s = %v, want at least the 4 leaked goroutines", name, v)
		}
	}

	<-finished
	got = gather(t, New(Options{}))
	if n, _ := atLine(got, slowLine); n != 0 {
		t.Errorf("line %d: the slow goroutine counted as %v leaked once finished", slowLine, n)
	}
}

func TestInterval(t *testing.T) {
	needProfile(t)
	c := New(Options{Interval: time.Hour})
	now := time.Now()
	c.now = func() time.Time { return now }
	l := leakWaitGroup(0)
	got := gather(t, c)
	base, _ := atLine(got, l)
	if v := one(t, got, "leakwatch_detections_total"); v != 1 {
		t.Fatalf("leakwatch_detections_total = %v after one scrape, want 1", v)
	}
	first := one(t, got, "leakwatch_last_detection_timestamp_seconds")

	leakWaitGroup(1)
	time.Sleep(50 * time.Millisecond)
	now = now.Add(59 * time.Minute)
	for range 3 {
		got = gather(t, c)
	}
	if v := one(t, got, "leakwatch_detections_total"); v != 1 {
		t.Errorf("leakwatch_detections_total = %v after 4 scrapes within the interval, want 1", v)
	}
	if n, _ := atLine(got, l); n != base {
		t.Errorf("a leak after the detection shows before the interval has passed: %v, was %v", n, base)
	}
	if v := one(t, got, "leakwatch_last_detection_timestamp_seconds"); v != first {
		t.Errorf("the last detection's time moved within the interval: %v, was %v", v, first)
	}

	now = now.Add(time.Minute)
	got = gather(t, c)
	if v := one(t, got, "leakwatch_detections_total"); v != 2 {
		t.Errorf("leakwatch_detections_total = %v once the interval has passed, want 2", v)
	}
	if n, reasons := atLine(got, l); n-base != 1 || reasons[0] != "sync.WaitGroup.Wait" {
		t.Errorf("line %d: %v more leaked (%v) after the interval, want 1 sync.WaitGroup.Wait", l, n-base, reasons)
	}
}

// labelRuns makes each run's label value its own under go test -count=N.
var labelRuns int

func TestPprofLabels(t *testing.T) {
	needProfile(t)
	labelRuns++
	handler := "/leak/" + strconv.Itoa(labelRuns)
	var l int
	pprof.Do(context.Background(), pprof.Labels("handler", handler, "tenant", "acme"), func(context.Context) {
		l = leakLock(1)
	})
	unlabelled := leakLock(1)
	if unlabelled != l {
		t.Fatalf("leakLock's line moved: %d, then %d", l, unlabelled)
	}
	var got map[string][]series
	found := 0.0
	for deadline := time.Now().Add(2 * time.Second); found == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		got = gather(t, New(Options{PprofLabels: []string{"handler"}}))
		found = 0
		for _, s := range got["leakwatch_leaked_goroutines_by_site"] {
			if s.labels["pprof_handler"] == handler {
				found += s.value
				if s.labels["line"] != strconv.Itoa(l) || s.labels["reason"] != "sync.Mutex.Lock" {
					t.Fatalf("pprof_handler=%s on another site: %v", handler, s.labels)
				}
			}
			if _, ok := s.labels["pprof_tenant"]; ok {
				t.Fatalf("a label key not asked for is exported: %v", s.labels)
			}
		}
	}
	if found != 1 {
		t.Errorf("line %d: %v leaked with pprof_handler=%s, want 1: %v", l, found, handler, got["leakwatch_leaked_goroutines_by_site"])
	}
	if n, _ := atLine(got, l); n < 2 {
		t.Errorf("line %d: %v leaked in all, want the unlabelled one too", l, n)
	}
}

func TestMaxSites(t *testing.T) {
	needProfile(t)
	a := leakSelect(2)
	c := leakReceive(1)
	_ = settled(t, Options{}, map[int]float64{a: 2, c: 1})
	got := gather(t, New(Options{MaxSites: 2}))
	sites := got["leakwatch_leaked_goroutines_by_site"]
	if len(sites) != 2 {
		t.Fatalf("%d by-site series with MaxSites 2, want 2: %v", len(sites), sites)
	}
	if sites[0].labels["function"] != Other && sites[1].labels["function"] != Other {
		t.Errorf("no %s series: %v", Other, sites)
	}
	if total := one(t, got, "leakwatch_leaked_goroutines"); total != sumSites(got) {
		t.Errorf("total %v is not the sum of the series, %v", total, sumSites(got))
	}
}

func TestTopSites(t *testing.T) {
	sites := []site{
		{Function: "f", Line: 1, Count: 1, Labels: []string{"a"}},
		{Function: "g", Line: 2, Count: 5, Labels: []string{"a"}},
		{Function: "h", Line: 3, Count: 2, Labels: []string{"b"}},
		{Function: "i", Line: 4, Count: 2, Labels: []string{"c"}},
	}
	top := topSites(sites, 3, 1)
	if len(top) != 3 || top[0].Function != "g" || top[1].Function != "h" || top[2].Function != Other || top[2].Count != 3 || top[2].Labels[0] != Other {
		t.Errorf("topSites(..., 3) = %+v", top)
	}
	if top := topSites(sites[:2], 3, 1); len(top) != 2 {
		t.Errorf("topSites of 2 sites, max 3 = %+v", top)
	}
}

func TestUnavailable(t *testing.T) {
	c := New(Options{})
	c.lookup = func() profileWriter { return nil }
	got := gather(t, c)
	if v := one(t, got, "leakwatch_profile_available"); v != 0 {
		t.Errorf("leakwatch_profile_available = %v, want 0", v)
	}
	for _, name := range []string{"leakwatch_leaked_goroutines", "leakwatch_leaked_goroutines_by_site", "leakwatch_detections_total"} {
		if len(got[name]) > 0 {
			t.Errorf("%s exported without the profile: %v", name, got[name])
		}
	}
	if len(got["leakwatch_goroutines_created_total"]) != 1 {
		t.Errorf("the scheduler's counts are exported without the profile too: %v", got)
	}
}

// TestThisBinary checks that the collector tells what this binary has:
// without the profile (Go 1.26 without the experiment) it says so and
// does not panic.
func TestThisBinary(t *testing.T) {
	want := 0.0
	if pprof.Lookup("goroutineleak") != nil {
		want = 1
	}
	if v := one(t, gather(t, New(Options{})), "leakwatch_profile_available"); v != want {
		t.Errorf("leakwatch_profile_available = %v on %s, want %v", v, runtime.Version(), want)
	}
}

type brokenProfile struct{ err error }

func (p brokenProfile) WriteTo(w io.Writer, _ int) error {
	if p.err != nil {
		return p.err
	}
	_, err := io.WriteString(w, "not a profile")
	return err
}

func TestDetectionError(t *testing.T) {
	for _, p := range []brokenProfile{{errors.New("disk full")}, {}} {
		c := New(Options{Interval: time.Hour})
		c.lookup = func() profileWriter { return p }
		got := gather(t, c)
		got = gather(t, c)
		if v := one(t, got, "leakwatch_detection_errors_total"); v != 1 {
			t.Errorf("%v: leakwatch_detection_errors_total = %v after two scrapes within the interval, want 1", p, v)
		}
		if len(got["leakwatch_leaked_goroutines"]) > 0 {
			t.Errorf("%v: a count exported with no good detection: %v", p, got["leakwatch_leaked_goroutines"])
		}
	}
}

func TestBadOptions(t *testing.T) {
	for _, keys := range [][]string{{"my-label"}, {"a", "a"}, {""}} {
		if _, err := NewChecked(Options{PprofLabels: keys}); err == nil {
			t.Errorf("PprofLabels %q: no error", keys)
		}
	}
}
