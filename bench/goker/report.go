package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// report is one diagnostic of the linter.
type report struct {
	category string
	posn     string // file:line:col, relative to the corpus root
	site     site
	message  string
	related  []related
	fixes    []string // the messages of its suggested fixes
}

type related struct {
	posn    string
	site    site
	message string
}

// lint runs the linter over the corpus module at dir and returns its reports.
func lint(linter, dir string) ([]*report, error) {
	out, err := run(dir, nil, linter, "-json", "./...")
	// -json prints the diagnostics on stdout and exits 0; anything else
	// (a driver error) shows in the output, which then does not decode.
	type jsonDiag struct {
		Category string `json:"category"`
		Posn     string `json:"posn"`
		Message  string `json:"message"`
		Related  []struct {
			Posn    string `json:"posn"`
			Message string `json:"message"`
		} `json:"related"`
		Fixes []struct {
			Message string `json:"message"`
		} `json:"suggested_fixes"`
	}
	relPosn := func(p string) (string, site) {
		if r, err := filepath.Rel(dir, p); err == nil && !strings.HasPrefix(r, "..") {
			p = filepath.ToSlash(r)
		}
		// file:line:col: the site drops the column.
		s, _ := parseSite(p)
		if i := strings.LastIndex(p, ":"); i > 0 {
			s, _ = parseSite(p[:i])
		}
		return p, s
	}
	var reports []*report
	seen := map[string]bool{}
	dec := json.NewDecoder(strings.NewReader(out))
	for {
		var tree map[string]map[string]json.RawMessage
		if err := dec.Decode(&tree); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("linter output does not decode (%w):\n%s", err, out)
		}
		for _, byAnalyzer := range tree {
			for _, raw := range byAnalyzer {
				var ds []jsonDiag
				if json.Unmarshal(raw, &ds) != nil {
					return nil, fmt.Errorf("linter error: %s", raw)
				}
				for _, d := range ds {
					if seen[d.Posn+d.Message] {
						continue
					}
					seen[d.Posn+d.Message] = true
					r := &report{category: d.Category, message: d.Message}
					r.posn, r.site = relPosn(d.Posn)
					for _, rel := range d.Related {
						p, s := relPosn(rel.Posn)
						r.related = append(r.related, related{p, s, rel.Message})
					}
					for _, f := range d.Fixes {
						r.fixes = append(r.fixes, f.Message)
					}
					reports = append(reports, r)
				}
			}
		}
	}
	if err != nil && len(reports) == 0 {
		return nil, fmt.Errorf("linter: %w\n%s", err, out)
	}
	sort.Slice(reports, func(i, j int) bool {
		a, b := reports[i].site, reports[j].site
		if a != b {
			return a.file < b.file || a.file == b.file && a.line < b.line
		}
		return reports[i].posn < reports[j].posn
	})
	return reports, nil
}

// verdict is a human judgement of a report that is not in the oracle.
type verdict struct {
	verdict string // real, plausible or false
	reason  string
}

// readJudged reads the verdicts of JUDGED.md: the rows of its tables of the
// form | site | verdict | reason | message |, keyed by site and message, so
// that a report whose wording changes is judged again.
func readJudged(path string) (map[string]verdict, error) {
	judged := map[string]verdict{}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return judged, nil
	} else if err != nil {
		return nil, err
	}
	defer f.Close() //nolint:errcheck // read only
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		cells := splitRow(sc.Text())
		if len(cells) != 4 {
			continue
		}
		s, ok := parseSite(strings.Trim(cells[0], "`"))
		if !ok {
			continue // a header or separator row
		}
		v := strings.ToLower(strings.Trim(cells[1], "*"))
		if v != "real" && v != "plausible" && v != "false" {
			return nil, fmt.Errorf("%s:%d: verdict %q is not real, plausible or false", path, n, cells[1])
		}
		judged[judgedKey(s, cells[3])] = verdict{v, cells[2]}
	}
	return judged, sc.Err()
}

func judgedKey(s site, message string) string { return s.String() + "\x00" + message }

// splitRow splits a Markdown table row into its trimmed cells, honouring \|.
func splitRow(line string) []string {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "|") || !strings.HasSuffix(line, "|") || len(line) < 2 {
		return nil
	}
	line = strings.ReplaceAll(line[1:len(line)-1], `\|`, "\x00")
	var cells []string
	for _, c := range strings.Split(line, "|") {
		cells = append(cells, strings.TrimSpace(strings.ReplaceAll(c, "\x00", "|")))
	}
	return cells
}

// scoring is the result of matching the reports against the oracle.
type scoring struct {
	sites     map[site][]*entry // channel-blocked sites of the oracle
	found     map[site][]*report
	direct    map[site]bool // found by a report's own position, not only a related one
	missed    []site
	extra     []*report // reports on no channel-blocked site of the oracle
	reports   []*report
	caseSites map[string][]site // channel-blocked sites by case
}

func score(o *oracle, k *kernels, reports []*report) *scoring {
	s := &scoring{sites: map[site][]*entry{}, found: map[site][]*report{}, direct: map[site]bool{}, reports: reports, caseSites: map[string][]site{}}
	// Where a report may land for each site: its line, and for a select
	// the lines of its cases too.
	landing := map[site][]site{}
	for _, e := range o.entries {
		if e.class != "chan" {
			continue
		}
		if s.sites[e.site] == nil {
			landing[e.site] = append(landing[e.site], e.site)
			if strings.HasPrefix(e.reason, "select") {
				for _, line := range k.selectLines[e.site] {
					l := site{e.site.file, line}
					landing[l] = append(landing[l], e.site)
				}
			}
		}
		s.sites[e.site] = append(s.sites[e.site], e)
		s.caseSites[e.kase] = append(s.caseSites[e.kase], e.site)
	}
	for _, r := range reports {
		hit := map[site]bool{}
		for i, at := range append([]site{r.site}, relatedSites(r)...) {
			for _, target := range landing[at] {
				hit[target] = true
				if i == 0 {
					s.direct[target] = true
				}
			}
		}
		for target := range hit {
			s.found[target] = append(s.found[target], r)
		}
		if len(hit) == 0 {
			s.extra = append(s.extra, r)
		}
	}
	for target := range s.sites {
		if s.found[target] == nil {
			s.missed = append(s.missed, target)
		}
	}
	sortSites(s.missed)
	return s
}

func relatedSites(r *report) []site {
	var out []site
	for _, rel := range r.related {
		out = append(out, rel.site)
	}
	return out
}

// counts returns the sites found and confirmed, and the cases with a site
// found and with a site, over the GoKer kernels only or the whole corpus.
func (s *scoring) counts(k *kernels, gokerOnly bool) (found, sites, foundCases, cases int) {
	in := func(kase string) bool { return !gokerOnly || k.cases[kase] != nil && k.cases[kase].pkg == "goker" }
	for target, es := range s.sites {
		for _, e := range es {
			if in(e.kase) {
				sites++
				if s.found[target] != nil {
					found++
				}
				break
			}
		}
	}
	for kase, targets := range s.caseSites {
		if !in(kase) {
			continue
		}
		cases++
		for _, t := range targets {
			if s.found[t] != nil {
				foundCases++
				break
			}
		}
	}
	return
}

// fixed counts the reports of a category ("" for all) that come with a
// suggested fix, over the GoKer kernels only or the whole corpus.
func (s *scoring) fixed(gokerOnly bool, category string) int {
	n := 0
	for _, r := range s.reports {
		if len(r.fixes) > 0 && s.counted(r, gokerOnly, category) {
			n++
		}
	}
	return n
}

// reportCount counts the reports of a category ("" for all).
func (s *scoring) reportCount(gokerOnly bool, category string) int {
	n := 0
	for _, r := range s.reports {
		if s.counted(r, gokerOnly, category) {
			n++
		}
	}
	return n
}

func (s *scoring) counted(r *report, gokerOnly bool, category string) bool {
	return (category == "" || r.category == category) && (!gokerOnly || strings.HasPrefix(r.site.file, "goker/"))
}

// waitClass is the wait reason of a site, with "range" told apart from
// other receives.
func waitClass(e *entry, k *kernels) string {
	if e.reason == "chan receive" && k.rangeLines[e.site] {
		return "range"
	}
	return e.reason
}

// Why a channel operation can be out of the linter's reach: it models
// channels, not locks, so a case whose goroutines also block on a sync
// primitive, or whose code uses one, is told apart.
const (
	syncLeak     = "sync-blocked leak in the case"
	syncUse      = "uses sync, no sync-blocked leak"
	channelsOnly = "channels only"
)

var involvements = []string{syncLeak, syncUse, channelsOnly}

func involvement(kase string, o *oracle, k *kernels) string {
	for _, e := range o.entries {
		if e.kase == kase && e.class == "sync" {
			return syncLeak
		}
	}
	if c := k.cases[kase]; c != nil && len(c.syncKinds) > 0 {
		return syncUse
	}
	return channelsOnly
}

func pct(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(a)/float64(b))
}

func (s *scoring) print(out io.Writer, o *oracle, k *kernels, judged map[string]verdict, linter string) {
	// The report is built in memory and written once: one error to check.
	w := new(strings.Builder)
	defer func() {
		if _, err := io.WriteString(out, w.String()); err != nil {
			log.Fatal(err)
		}
	}()
	fmt.Fprintf(w, "corpus: testgoroutineleakprofile of %s (sha256 %.12s), %d cases\n", o.corpusGo, o.corpusSum, len(k.cases))
	for _, c := range o.comments {
		if strings.HasPrefix(c, "profiled: ") || strings.HasPrefix(c, "summary: ") {
			fmt.Fprintf(w, "oracle %s\n", c)
		}
	}
	fmt.Fprintf(w, "linter: %s: %d reports\n", linter, len(s.reports))

	// Hits.
	var hits []site
	for t := range s.found {
		hits = append(hits, t)
	}
	sortSites(hits)
	fmt.Fprintf(w, "\nSites found (%d of %d):\n", len(hits), len(s.sites))
	for _, t := range hits {
		e := s.sites[t][0]
		var by []string
		for _, r := range s.found[t] {
			by = append(by, r.posn+" "+r.category)
		}
		how := ""
		if !s.direct[t] {
			// A related position (the receive a report points to, say) is on
			// the site, but no report is about the goroutine blocked there.
			how = " (only through a related position)"
		}
		fmt.Fprintf(w, "  %-34s %-22s %-14s <- %s%s\n", t, e.kase, waitClass(e, k), strings.Join(by, ", "), how)
	}

	// Misses, by wait reason and by the case's involvement of sync.
	type group struct{ wait, inv string }
	groups := map[group][]*entry{}
	for _, t := range s.missed {
		e := s.sites[t][0]
		g := group{waitClass(e, k), involvement(e.kase, o, k)}
		groups[g] = append(groups[g], e)
	}
	var gs []group
	for g := range groups {
		gs = append(gs, g)
	}
	sort.Slice(gs, func(i, j int) bool {
		if gs[i].wait != gs[j].wait {
			return gs[i].wait < gs[j].wait
		}
		return indexOf(involvements, gs[i].inv) < indexOf(involvements, gs[j].inv)
	})
	fmt.Fprintf(w, "\nSites missed (%d), by wait reason and sync involvement:\n", len(s.missed))
	for _, g := range gs {
		fmt.Fprintf(w, "  %s, %s (%d):\n", g.wait, g.inv, len(groups[g]))
		for _, e := range groups[g] {
			var cases []string
			for _, other := range s.sites[e.site] {
				cases = append(cases, other.kase)
			}
			extra := ""
			if c := k.cases[e.kase]; c != nil && len(c.syncKinds) > 0 {
				extra = " [" + strings.Join(c.syncKinds, ",") + "]"
			}
			fmt.Fprintf(w, "    %-34s %-22s %-40s seen %d/%d%s\n", e.site, strings.Join(cases, ","), e.function, e.seen, e.runs, extra)
		}
	}

	// Reports the oracle does not confirm, with the verdicts.
	counts := map[string]int{}
	var unjudged []*report
	fmt.Fprintf(w, "\nReports on no channel-blocked site of the oracle (%d):\n", len(s.extra))
	for _, r := range s.extra {
		fmt.Fprintf(w, "  %s: %s: %s\n", r.posn, r.category, r.message)
		for _, rel := range r.related {
			fmt.Fprintf(w, "      %s: %s\n", rel.posn, rel.message)
		}
		for _, note := range s.notes(r, o) {
			fmt.Fprintf(w, "      note: %s\n", note)
		}
		if v, ok := judged[judgedKey(r.site, r.message)]; ok {
			counts[v.verdict]++
			fmt.Fprintf(w, "      judged %s: %s\n", v.verdict, v.reason)
		} else {
			counts["unjudged"]++
			unjudged = append(unjudged, r)
			fmt.Fprintf(w, "      NOT JUDGED\n")
		}
	}
	if len(unjudged) > 0 {
		fmt.Fprintf(w, "\nNot judged yet (%d): add rows to %s (verdict real, plausible or false):\n", len(unjudged), *judgedFlag)
		for _, r := range unjudged {
			fmt.Fprintf(w, "| `%s` | ? | ? | %s |\n", r.site, strings.ReplaceAll(r.message, "|", `\|`))
		}
	}

	// Suggested fixes: how many reports come with one, by category.
	fmt.Fprintf(w, "\nReports with a suggested fix (%d of %d):\n", s.fixed(false, ""), len(s.reports))
	for _, r := range s.reports {
		if len(r.fixes) > 0 {
			fmt.Fprintf(w, "  %-34s %-9s %s\n", r.posn, r.category, strings.Join(r.fixes, "; "))
		}
	}

	// The table for the README.
	gf, gsites, gfc, gcases := s.counts(k, true)
	af, asites, afc, acases := s.counts(k, false)
	fmt.Fprintf(w, "\nMarkdown:\n\n")
	fmt.Fprintf(w, "| goroutineleak on the runtime's leak corpus (%s) | GoKer kernels | whole corpus |\n", o.corpusGo)
	fmt.Fprintf(w, "| --- | --- | --- |\n")
	fmt.Fprintf(w, "| channel-blocked sites found | %d / %d (%s) | %d / %d (%s) |\n", gf, gsites, pct(gf, gsites), af, asites, pct(af, asites))
	fmt.Fprintf(w, "| cases with a site found | %d / %d (%s) | %d / %d (%s) |\n", gfc, gcases, pct(gfc, gcases), afc, acases, pct(afc, acases))
	indirect := 0
	for t := range s.found {
		if !s.direct[t] {
			indirect++
		}
	}
	if indirect > 0 {
		fmt.Fprintf(w, "\n(%d of the sites found only through a related position of a report about another goroutine.)\n", indirect)
	}
	fmt.Fprintf(w, "\n| reports with a suggested fix | GoKer kernels | whole corpus |\n| --- | --- | --- |\n")
	for _, category := range []string{"sendleak", "recvleak", "loopleak", "syncleak", ""} {
		name := category
		if name == "" {
			name = "all reports"
		}
		gn, gd := s.fixed(true, category), s.reportCount(true, category)
		an, ad := s.fixed(false, category), s.reportCount(false, category)
		fmt.Fprintf(w, "| %s | %d / %d (%s) | %d / %d (%s) |\n", name, gn, gd, pct(gn, gd), an, ad, pct(an, ad))
	}
	fmt.Fprintf(w, "\n| reports on no confirmed site | real | plausible | false | not judged |\n| --- | --- | --- | --- | --- |\n")
	fmt.Fprintf(w, "| %d | %d | %d | %d | %d |\n", len(s.extra), counts["real"], counts["plausible"], counts["false"], counts["unjudged"])
	fmt.Fprintf(w, "\n| missed sites by wait reason |")
	for _, inv := range involvements {
		fmt.Fprintf(w, " %s |", inv)
	}
	fmt.Fprintf(w, " total |\n| --- |%s --- |\n", strings.Repeat(" --- |", len(involvements)))
	// The main wait reasons always have a row, so that tables of different
	// runs line up; the rarer ones (nil channel, empty select) when missed.
	waits := []string{"chan receive", "range", "chan send", "select"}
	byWait := map[string]map[string]int{}
	for _, wait := range waits {
		byWait[wait] = map[string]int{}
	}
	for g, es := range groups {
		if byWait[g.wait] == nil {
			byWait[g.wait] = map[string]int{}
			waits = append(waits, g.wait)
		}
		byWait[g.wait][g.inv] += len(es)
	}
	sort.Strings(waits[4:])
	colTotal := map[string]int{}
	for _, wait := range waits {
		fmt.Fprintf(w, "| %s |", wait)
		total := 0
		for _, inv := range involvements {
			fmt.Fprintf(w, " %d |", byWait[wait][inv])
			total += byWait[wait][inv]
			colTotal[inv] += byWait[wait][inv]
		}
		fmt.Fprintf(w, " %d |\n", total)
	}
	fmt.Fprintf(w, "| total |")
	for _, inv := range involvements {
		fmt.Fprintf(w, " %d |", colTotal[inv])
	}
	fmt.Fprintf(w, " %d |\n", len(s.missed))
}

// notes says what the oracle knows of a report it does not confirm: the
// goroutine it is about may be in the oracle blocked elsewhere (on a lock
// taken before the channel operation, say), or the report may be on a
// sync-blocked site.
func (s *scoring) notes(r *report, o *oracle) []string {
	var notes []string
	at := map[site]bool{r.site: true}
	for _, rs := range relatedSites(r) {
		at[rs] = true
	}
	seen := map[string]bool{}
	for _, e := range o.entries {
		var note string
		switch {
		case e.site.file != "" && at[e.site]:
			note = fmt.Sprintf("on the oracle's %s site of %s (%s)", e.class, e.kase, e.reason)
		case e.created.file != "" && at[e.created]:
			note = fmt.Sprintf("the oracle has a goroutine started at %s blocked at %s [%s] in %s, seen %d/%d", e.created, e.site, e.reason, e.kase, e.seen, e.runs)
		default:
			continue
		}
		if !seen[note] {
			seen[note] = true
			notes = append(notes, note)
		}
	}
	return notes
}

func indexOf(xs []string, x string) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	return len(xs)
}
