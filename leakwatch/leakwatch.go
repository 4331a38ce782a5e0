// Package leakwatch exports the goroutines that the runtime proves leaked
// as Prometheus metrics, grouped by the line where they block.
//
// It reads runtime/pprof's "goroutineleak" profile. Writing that profile
// runs a full garbage collection that marks every goroutine blocked on a
// channel or a sync primitive that no runnable goroutine can reach: nothing
// can ever wake those goroutines, so each one counted is a leak, not load.
// A goroutine that spins, sleeps, waits on a timer or in a system call is
// never counted.
//
// A detection costs a full GC cycle, so the [Collector] detects at most
// once per [Options.Interval] (a minute by default), on the first scrape
// after the interval has passed, and serves the last result in between.
// It starts no goroutine of its own.
//
// The profile is built in from Go 1.27. Go 1.26 has it only in programs
// built with GOEXPERIMENT=goroutineleakprofile; elsewhere the collector
// exports leakwatch_profile_available 0 and no leak metrics.
//
//	reg := prometheus.NewRegistry()
//	reg.MustRegister(leakwatch.New(leakwatch.Options{}))
//	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
package leakwatch

import (
	"fmt"
	"regexp"
	"runtime/metrics"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// DefaultInterval is the least time between two detections when
// [Options.Interval] is zero. One detection costs about one full GC cycle
// (see docs/production.md for the measured ratio); once
// a minute adds a small fraction to the GC work of any service that
// allocates.
const DefaultInterval = time.Minute

// DefaultMaxSites is the number of sites exported by name when
// [Options.MaxSites] is zero.
const DefaultMaxSites = 20

// Other is the value of every site label of the series that sums the
// leaked goroutines beyond the top [Options.MaxSites] sites.
const Other = "(other)"

// Options configure a [Collector]. The zero value is ready to use.
type Options struct {
	// Interval is the least time between two detections; zero means
	// [DefaultInterval]. Scrapes in between serve the last result.
	Interval time.Duration
	// MaxSites bounds the series of leakwatch_leaked_goroutines_by_site:
	// the MaxSites-1 sites with the most leaked goroutines are exported by
	// name and the rest are summed under one series whose site labels are
	// all [Other]. Zero means [DefaultMaxSites]; 1 exports only that sum.
	MaxSites int
	// PprofLabels are pprof label keys (runtime/pprof.Labels) to attribute
	// leaks by. Each adds a label "pprof_<key>" to the by-site series, with
	// the value the leaked goroutine carries (goroutines inherit their
	// creator's labels), or "" when it has none. A site under two values is
	// two series, and MaxSites bounds them together. Off when empty: label
	// values can be unbounded (a tenant), and the bound then hides them.
	PprofLabels []string
}

// A Collector is a prometheus.Collector of leaked goroutines. Make it with
// [New]; it is safe for concurrent scrapes.
type Collector struct {
	interval    time.Duration
	maxSites    int
	pprofLabels []string
	now         func() time.Time
	lookup      func() profileWriter

	available, leaked, bySite, lastTime, lastCost, detections, errors,
	live, waiting, created *prometheus.Desc

	mu   sync.Mutex
	last *detection // nil before the first detection
	n    int        // detections run
	errs int        // detections that failed
}

var labelKey = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// New returns a Collector. It panics if a pprof label key of opts cannot
// be part of a Prometheus label name; [NewChecked] returns that error.
func New(opts Options) *Collector {
	c, err := NewChecked(opts)
	if err != nil {
		panic(err)
	}
	return c
}

// NewChecked is [New] that returns an error for bad options.
func NewChecked(opts Options) (*Collector, error) {
	c := &Collector{
		interval:    opts.Interval,
		maxSites:    opts.MaxSites,
		pprofLabels: opts.PprofLabels,
		now:         time.Now,
		lookup:      lookupProfile,
	}
	if c.interval <= 0 {
		c.interval = DefaultInterval
	}
	if c.maxSites <= 0 {
		c.maxSites = DefaultMaxSites
	}
	siteLabels := []string{"function", "file", "line", "reason"}
	seen := map[string]bool{}
	for _, k := range opts.PprofLabels {
		if !labelKey.MatchString(k) {
			return nil, fmt.Errorf("leakwatch: pprof label key %q is not usable in a Prometheus label name (want [a-zA-Z_][a-zA-Z0-9_]*)", k)
		}
		if seen[k] {
			return nil, fmt.Errorf("leakwatch: pprof label key %q given twice", k)
		}
		seen[k] = true
		siteLabels = append(siteLabels, "pprof_"+k)
	}
	c.available = prometheus.NewDesc("leakwatch_profile_available",
		"1 if this binary has runtime/pprof's goroutineleak profile (Go 1.27, or Go 1.26 built with GOEXPERIMENT=goroutineleakprofile), else 0, and no leak metrics are exported.", nil, nil)
	c.leaked = prometheus.NewDesc("leakwatch_leaked_goroutines",
		"Goroutines the last detection found blocked for good: on a channel or sync primitive that no runnable goroutine can reach.", nil, nil)
	c.bySite = prometheus.NewDesc("leakwatch_leaked_goroutines_by_site",
		"Leaked goroutines by the frame where they block (the innermost frame outside the standard library) and the wait reason; the sites beyond the top ones are summed under "+Other+".", siteLabels, nil)
	c.lastTime = prometheus.NewDesc("leakwatch_last_detection_timestamp_seconds",
		"When the last detection ran, in Unix seconds.", nil, nil)
	c.lastCost = prometheus.NewDesc("leakwatch_last_detection_duration_seconds",
		"How long the last detection took: a full garbage collection and the profile's parsing.", nil, nil)
	c.detections = prometheus.NewDesc("leakwatch_detections_total",
		"Detections run: each is a full garbage collection.", nil, nil)
	c.errors = prometheus.NewDesc("leakwatch_detection_errors_total",
		"Detections that failed to write or parse the profile; the last good result is served.", nil, nil)
	c.live = prometheus.NewDesc("leakwatch_goroutines",
		"Live goroutines now (runtime/metrics /sched/goroutines:goroutines).", nil, nil)
	c.waiting = prometheus.NewDesc("leakwatch_goroutines_waiting",
		"Goroutines waiting now, on anything: leaked or not (runtime/metrics /sched/goroutines/waiting:goroutines).", nil, nil)
	c.created = prometheus.NewDesc("leakwatch_goroutines_created_total",
		"Goroutines created since the program started (runtime/metrics /sched/goroutines-created:goroutines): its rate is the load.", nil, nil)
	return c, nil
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.available, c.leaked, c.bySite, c.lastTime, c.lastCost,
		c.detections, c.errors, c.live, c.waiting, c.created} {
		ch <- d
	}
}

// Collect implements prometheus.Collector. It runs a detection when none
// has run for the interval, and exports the last one's result.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	c.collectRuntime(ch)
	prof := c.lookup()
	if prof == nil {
		ch <- prometheus.MustNewConstMetric(c.available, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.available, prometheus.GaugeValue, 1)
	c.mu.Lock()
	if c.last == nil || c.now().Sub(c.last.at) >= c.interval {
		c.detect(prof)
	}
	last, n, errs := c.last, c.n, c.errs
	c.mu.Unlock()

	ch <- prometheus.MustNewConstMetric(c.detections, prometheus.CounterValue, float64(n))
	ch <- prometheus.MustNewConstMetric(c.errors, prometheus.CounterValue, float64(errs))
	if last == nil || last.failed {
		return // no good detection yet
	}
	ch <- prometheus.MustNewConstMetric(c.lastTime, prometheus.GaugeValue, float64(last.at.UnixNano())/1e9)
	ch <- prometheus.MustNewConstMetric(c.lastCost, prometheus.GaugeValue, last.cost.Seconds())
	ch <- prometheus.MustNewConstMetric(c.leaked, prometheus.GaugeValue, float64(last.total))
	for _, s := range last.sites {
		values := append([]string{s.Function, s.File, lineLabel(s.Line), s.Reason}, s.Labels...)
		ch <- prometheus.MustNewConstMetric(c.bySite, prometheus.GaugeValue, float64(s.Count), values...)
	}
}

func lineLabel(line int) string {
	if line < 0 {
		return Other
	}
	return strconv.Itoa(line)
}

// detect runs one detection and records it; c.mu is held.
func (c *Collector) detect(prof profileWriter) {
	start := c.now()
	sites, total, err := detectSites(prof, c.pprofLabels)
	c.n++
	if err != nil {
		c.errs++
		if c.last == nil {
			c.last = &detection{at: start, failed: true}
		} else {
			c.last.at = start // retry after the interval, not on every scrape
		}
		return
	}
	c.last = &detection{
		at:    start,
		cost:  c.now().Sub(start),
		total: total,
		sites: topSites(sites, c.maxSites, len(c.pprofLabels)),
	}
}

// A detection is the result of one.
type detection struct {
	at     time.Time
	cost   time.Duration
	total  int
	sites  []site
	failed bool // no detection has succeeded yet
}

// collectRuntime exports the scheduler's counts, which cost nothing to
// read: they tell load (goroutines created, live) from leaks.
func (c *Collector) collectRuntime(ch chan<- prometheus.Metric) {
	samples := []metrics.Sample{
		{Name: "/sched/goroutines:goroutines"},
		{Name: "/sched/goroutines/waiting:goroutines"},
		{Name: "/sched/goroutines-created:goroutines"},
	}
	metrics.Read(samples)
	for i, d := range []struct {
		desc *prometheus.Desc
		typ  prometheus.ValueType
	}{{c.live, prometheus.GaugeValue}, {c.waiting, prometheus.GaugeValue}, {c.created, prometheus.CounterValue}} {
		if samples[i].Value.Kind() == metrics.KindUint64 {
			ch <- prometheus.MustNewConstMetric(d.desc, d.typ, float64(samples[i].Value.Uint64()))
		}
	}
}
