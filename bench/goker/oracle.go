package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// oracle is the ground truth: what the goroutineleak profile saw.
type oracle struct {
	corpusGo  string // Go version whose GOROOT the corpus was copied from
	corpusSum string // sha256 of the corpus files, see copyCorpus
	comments  []string
	entries   []*entry
}

// entry is one blocked site of one case; a case in which no leak was ever
// seen has a single entry of class "none".
type entry struct {
	kase     string
	site     site
	class    string // "chan", "sync", "other" or "none"
	reason   string // wait reason(s) as the runtime gives them, without "(leaked)"
	seen     int    // runs in which a goroutine was seen leaked at the site
	runs     int    // runs of the case
	function string // innermost corpus function, as in the traceback
	created  site   // go statement that started the goroutine
	by       string // seen per toolchain
}

// classOf sorts a wait reason into channel-blocked, sync-blocked or other.
func classOf(reason string) string {
	switch {
	case strings.HasPrefix(reason, "chan "), strings.HasPrefix(reason, "select"):
		return "chan"
	case strings.HasPrefix(reason, "sync."):
		return "sync"
	}
	return "other"
}

// leak is one leaked goroutine of one run.
type leak struct {
	site     site
	reason   string
	function string
	created  site
}

var goroutineHeader = regexp.MustCompile(`^goroutine \d+ .*?\[(.*)\]:$`)

// parseLeaks extracts the leaked goroutines from a debug=2 goroutineleak
// profile. A goroutine's site is its innermost frame in a corpus file: a
// goroutine blocked in sync.(*Mutex).Lock is placed on the corpus line
// calling Lock, one blocked on a channel on the operation itself.
func parseLeaks(out, corpus string) []leak {
	corpusSite := func(pos string) (site, bool) {
		pos = strings.TrimSpace(pos)
		if i := strings.Index(pos, " +0x"); i >= 0 {
			pos = pos[:i]
		}
		s, ok := parseSite(pos)
		if !ok {
			return site{}, false
		}
		rel, err := filepath.Rel(corpus, s.file)
		if err != nil || strings.HasPrefix(rel, "..") {
			return site{}, false
		}
		s.file = filepath.ToSlash(rel)
		return s, true
	}
	var leaks []leak
	for _, block := range strings.Split(out, "\n\n") {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		m := goroutineHeader.FindStringSubmatch(lines[0])
		if m == nil || !strings.Contains(m[1], "(leaked)") {
			continue
		}
		// "chan receive (leaked), 2 minutes" -> "chan receive"
		reason, _, _ := strings.Cut(m[1], ",")
		l := leak{reason: strings.TrimSpace(strings.Replace(reason, "(leaked)", "", 1))}
		fn := ""
		for _, line := range lines[1:] {
			if !strings.HasPrefix(line, "\t") {
				fn = line
				continue
			}
			s, ok := corpusSite(line)
			if strings.HasPrefix(fn, "created by ") {
				if ok {
					l.created = s
				}
				break
			}
			if ok && l.site.file == "" {
				l.site, l.function = s, funcName(fn)
			}
		}
		if l.site.file == "" {
			// Blocked with no corpus frame on its stack: nothing to place.
			fmt.Fprintf(os.Stderr, "goker: leaked goroutine without a corpus frame: %s\n", lines[0])
			continue
		}
		leaks = append(leaks, l)
	}
	return leaks
}

// funcName turns "main.(*T).m(0xc000010000)" into "(*T).m".
func funcName(frame string) string {
	frame = strings.TrimPrefix(frame, "main.")
	if strings.HasSuffix(frame, ")") {
		if i := strings.LastIndex(frame, "("); i > 0 {
			frame = frame[:i]
		}
	}
	return frame
}

// profileCorpus runs every case of the corpus module at corpus under the goroutineleak
// profile, -runs times per toolchain and GOMAXPROCS value, and returns the
// union of what it saw.
func profileCorpus(corpus string, k *kernels, corpusGo, corpusSum string) (*oracle, error) {
	type binaries struct {
		toolchain string
		bins      map[string]string // by package: "." and "goker"
	}
	var tcs []binaries
	var profiled []string
	for _, tc := range strings.Split(*toolchains, ",") {
		env := []string{"GOTOOLCHAIN=" + tc}
		out, err := run(corpus, env, "go", "env", "GOVERSION")
		if err != nil {
			return nil, fmt.Errorf("toolchain %s: %w\n%s", tc, err, out)
		}
		version := strings.TrimSpace(out)
		// The profile is on by default from go1.27; go1.26 has it behind an
		// experiment, which go1.27 no longer knows.
		how := "no flag"
		if before127(version) {
			env = append(env, "GOEXPERIMENT=goroutineleakprofile")
			how = "GOEXPERIMENT=goroutineleakprofile"
		}
		profiled = append(profiled, fmt.Sprintf("%s (%s)", version, how))
		b := binaries{toolchain: version, bins: map[string]string{}}
		for _, pkg := range []string{".", "goker"} {
			bin := filepath.Join(*dir, "bin", version+"-"+strings.ReplaceAll(pkg, ".", "root"))
			if out, err := run(corpus, env, "go", "build", "-o", bin, "./"+pkg); err != nil {
				return nil, fmt.Errorf("building %s with %s: %w\n%s", pkg, version, err, out)
			}
			b.bins[pkg] = bin
		}
		tcs = append(tcs, b)
	}
	procList := strings.Split(*procs, ",")

	o := &oracle{corpusGo: corpusGo, corpusSum: corpusSum}
	var failures []string
	for _, name := range k.names() {
		c := k.cases[name]
		found := map[site]*entry{}
		reasons := map[site]map[string]bool{}
		byTC := map[site]map[string]int{}
		var order []site
		nruns := 0
		failed := map[string]int{}
		for _, tc := range tcs {
			for _, p := range procList {
				for range *runs {
					nruns++
					out, err := runCase(tc.bins[c.pkg], name, p)
					if err != nil {
						failed[err.Error()]++
					}
					// A run counts once per site however many of its
					// goroutines are blocked there.
					inRun := map[site]bool{}
					for _, l := range parseLeaks(out, corpus) {
						e := found[l.site]
						if e == nil {
							e = &entry{kase: name, site: l.site, function: l.function, created: l.created}
							found[l.site] = e
							reasons[l.site] = map[string]bool{}
							byTC[l.site] = map[string]int{}
							order = append(order, l.site)
						}
						reasons[l.site][l.reason] = true
						if !inRun[l.site] {
							inRun[l.site] = true
							e.seen++
							byTC[l.site][tc.toolchain]++
						}
					}
				}
			}
		}
		for msg, n := range failed {
			failures = append(failures, fmt.Sprintf("%s: %d/%d runs: %s", name, n, nruns, msg))
		}
		sortSites(order)
		for _, s := range order {
			e := found[s]
			e.runs = nruns
			var rs, by []string
			for r := range reasons[s] {
				rs = append(rs, r)
			}
			sort.Strings(rs)
			e.reason = strings.Join(rs, " | ")
			e.class = classOf(rs[0])
			for _, tc := range tcs {
				by = append(by, fmt.Sprintf("%s:%d", tc.toolchain, byTC[s][tc.toolchain]))
			}
			e.by = strings.Join(by, " ")
			o.entries = append(o.entries, e)
		}
		if len(order) == 0 {
			o.entries = append(o.entries, &entry{kase: name, class: "none", runs: nruns})
		}
		fmt.Fprintf(os.Stderr, "goker: %-24s %3d runs, %d blocked sites\n", name, nruns, len(order))
	}
	sort.Strings(failures)

	o.comments = []string{
		"goker oracle: where the goroutineleak profile of the Go runtime saw goroutines blocked for ever,",
		"running every case of the runtime's leak corpus. Made by `go run ./bench/goker -regen`; do not edit.",
		"corpus-go: " + corpusGo,
		"corpus-sha256: " + corpusSum,
		fmt.Sprintf("profiled: %s; GODEBUG=asyncpreemptoff=1; GOMAXPROCS=%s; %d runs each, so %d runs per case",
			strings.Join(profiled, ", "), *procs, *runs, len(tcs)*len(procList)**runs),
	}
	for _, f := range failures {
		o.comments = append(o.comments, "failed: "+f)
	}
	o.comments = append(o.comments, "summary: "+o.summary(k))
	o.comments = append(o.comments, "",
		"class: chan (chan send/receive, select, nil channel), sync (Mutex, RWMutex, WaitGroup, Cond), none (no leak seen)",
		"site: innermost frame in a corpus file; created: the go statement; seen: runs with a goroutine leaked there",
		"case\tsite\tclass\twait reason\tseen\tfunction\tcreated\tseen per toolchain")
	return o, nil
}

// runCase runs one case of a corpus binary the way the runtime's test does.
func runCase(bin, name, gomaxprocs string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, name)
	cmd.Env = append(os.Environ(), "GODEBUG=asyncpreemptoff=1", "GOMAXPROCS="+gomaxprocs)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func before127(version string) bool {
	var minor int
	if _, err := fmt.Sscanf(strings.TrimPrefix(version, "go1."), "%d", &minor); err != nil {
		return false
	}
	return minor < 27
}

// summary counts the sites and cases of the oracle, over the whole corpus
// and over the GoKer kernels alone.
func (o *oracle) summary(k *kernels) string {
	count := func(class string, goker bool) (sites, cases int) {
		ss, cs := map[site]bool{}, map[string]bool{}
		for _, e := range o.entries {
			if e.class != class {
				continue
			}
			if c := k.cases[e.kase]; goker && (c == nil || c.pkg != "goker") {
				continue
			}
			ss[e.site] = true
			cs[e.kase] = true
		}
		return len(ss), len(cs)
	}
	cs, cc := count("chan", false)
	gs, gc := count("chan", true)
	ys, yc := count("sync", false)
	none := 0
	for _, e := range o.entries {
		if e.class == "none" {
			none++
		}
	}
	return fmt.Sprintf("%d channel-blocked sites in %d cases (GoKer kernels: %d in %d); %d sync-blocked sites in %d cases; %d of %d cases never leaked",
		cs, cc, gs, gc, ys, yc, none, len(k.cases))
}

func (o *oracle) format() string {
	var b strings.Builder
	for _, c := range o.comments {
		if c == "" {
			b.WriteString("#\n")
		} else {
			fmt.Fprintf(&b, "# %s\n", c)
		}
	}
	for _, e := range o.entries {
		s, created := "-", "-"
		if e.site.file != "" {
			s = e.site.String()
		}
		if e.created.file != "" {
			created = e.created.String()
		}
		fields := []string{e.kase, s, e.class, orDash(e.reason), fmt.Sprintf("%d/%d", e.seen, e.runs), orDash(e.function), created, orDash(e.by)}
		b.WriteString(strings.Join(fields, "\t") + "\n")
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func readOracle(path string) (*oracle, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w (rebuild it with -regen)", err)
	}
	defer f.Close() //nolint:errcheck // read only
	o := &oracle{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if c, ok := strings.CutPrefix(line, "#"); ok {
			c = strings.TrimSpace(c)
			o.comments = append(o.comments, c)
			if v, ok := strings.CutPrefix(c, "corpus-go: "); ok {
				o.corpusGo = v
			}
			if v, ok := strings.CutPrefix(c, "corpus-sha256: "); ok {
				o.corpusSum = v
			}
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 8 {
			return nil, fmt.Errorf("%s:%d: want 8 tab-separated fields, have %d", path, n, len(f))
		}
		e := &entry{kase: f[0], class: f[2], reason: f[3], function: f[5], by: f[7]}
		if f[1] != "-" {
			s, ok := parseSite(f[1])
			if !ok {
				return nil, fmt.Errorf("%s:%d: bad site %q", path, n, f[1])
			}
			e.site = s
		}
		if f[6] != "-" {
			e.created, _ = parseSite(f[6])
		}
		seen, runs, _ := strings.Cut(f[4], "/")
		e.seen, _ = strconv.Atoi(seen)
		e.runs, _ = strconv.Atoi(runs)
		o.entries = append(o.entries, e)
	}
	if o.corpusSum == "" {
		return nil, fmt.Errorf("%s: no corpus-sha256 line", path)
	}
	return o, sc.Err()
}
