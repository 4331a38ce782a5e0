package main

import (
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/goroutineleak/goroutineleak/analyzers/goroutineleak"
	"github.com/goroutineleak/goroutineleak/internal/leakcheck"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/ast/astutil"
	"golang.org/x/tools/go/packages"
)

// -profile FILE reads a goroutineleak profile saved from a running program
// (/debug/pprof/goroutineleak, debug=0 or debug=2), runs the analysis over
// the packages named, and says for each leaked site either which report is
// at that line or that the linter is silent there, and which of its
// documented blind spots applies when it can tell.

const profileUsage = "read a goroutineleak profile (debug=0 or debug=2) saved from the running program, and match each leaked site to a report"

// explainProfile is the command under -profile; it returns the exit code:
// 0 once it has explained the sites, 1 when the profile or the packages
// cannot be read, 2 for bad usage.
func explainProfile(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(progname, flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("profile", "", profileUsage)
	tests := fs.Bool("test", true, "also analyse the packages' tests")
	an := goroutineleak.Analyzer
	an.Flags.VisitAll(func(f *flag.Flag) { fs.Var(f.Value, f.Name, f.Usage) })
	fs.Usage = func() {
		_, _ = fmt.Fprintf(stderr, "usage: %s -profile FILE [-flag ...] package ...\n", progname)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.PrintDefaults()
			return 0
		}
		return 2
	}
	if *file == "" || fs.NArg() == 0 {
		_, _ = fmt.Fprintf(stderr, "%s: -profile needs a file and the packages the profiled program was built from (goroutineleak -profile leak.pb.gz ./...)\n", progname)
		return 2
	}
	data, err := os.ReadFile(*file)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "%s: -profile: %v\n", progname, err)
		return 1
	}
	sites, err := leakcheck.ReadProfile(data)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "%s: -profile %s: %v\n", progname, *file, err)
		return 1
	}

	cfg := &packages.Config{Mode: packages.LoadAllSyntax | packages.NeedModule, Tests: *tests}
	pkgs, err := packages.Load(cfg, fs.Args()...)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "%s: %v\n", progname, err)
		return 1
	}
	if n := packages.PrintErrors(pkgs); n > 0 {
		return 1
	}
	graph, err := checker.Analyze([]*analysis.Analyzer{an}, pkgs, nil)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "%s: %v\n", progname, err)
		return 1
	}
	idx := indexReports(graph, pkgs)
	flags := map[string]bool{}
	an.Flags.VisitAll(func(f *flag.Flag) { flags[f.Name] = f.Value.String() == "true" })

	total, explained := 0, 0
	var b strings.Builder
	for _, s := range sites {
		total += s.Count
		if idx.explain(&b, s, flags, *tests) {
			explained++
		}
	}
	_, _ = fmt.Fprintf(stdout, "%s: %d leaked goroutine%s at %d site%s: %d reported by the linter, %d unexplained\n",
		*file, total, plural(total, "", "s"), len(sites), plural(len(sites), "", "s"), explained, len(sites)-explained)
	_, _ = io.WriteString(stdout, b.String())
	return 0
}

// A line is a file and line, as the profile and the reports share them.
type line struct {
	file string
	line int
}

// A report is one diagnostic with its positions resolved.
type report struct {
	pos     token.Position
	message string
	related []analysis.RelatedInformation
	fset    *token.FileSet
	fixes   []string
}

// reportIndex finds the reports at a line, by their position or a related
// one, and knows the files analysed.
type reportIndex struct {
	at, relatedAt map[line][]*report
	files         map[string]*fileInfo // absolute path, and importpath/base as -trimpath writes it
}

type fileInfo struct {
	abs        string
	syntax     *ast.File
	fset       *token.FileSet
	directives map[int]string // line -> the text of a //goroutineleak:ignore comment on it
}

func indexReports(graph *checker.Graph, pkgs []*packages.Package) *reportIndex {
	idx := &reportIndex{at: map[line][]*report{}, relatedAt: map[line][]*report{}, files: map[string]*fileInfo{}}
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for i, f := range p.Syntax {
			if i >= len(p.CompiledGoFiles) {
				break
			}
			abs := p.CompiledGoFiles[i]
			fi := &fileInfo{abs: abs, syntax: f, fset: p.Fset, directives: map[int]string{}}
			for _, cg := range f.Comments {
				for _, c := range cg.List {
					if strings.HasPrefix(c.Text, "//goroutineleak:ignore") {
						fi.directives[p.Fset.Position(c.Pos()).Line] = c.Text
					}
				}
			}
			idx.files[abs] = fi
			idx.files[p.PkgPath+"/"+filepath.Base(abs)] = fi
		}
	})
	seen := map[string]bool{}
	for act := range graph.All() {
		if !act.IsRoot || act.Analyzer != goroutineleak.Analyzer {
			continue
		}
		fset := act.Package.Fset
		for _, d := range act.Diagnostics {
			r := &report{pos: fset.Position(d.Pos), message: d.Message, related: d.Related, fset: fset}
			key := fmt.Sprintf("%s\x00%s", r.pos, d.Message)
			if seen[key] { // a package and its test variant
				continue
			}
			seen[key] = true
			for _, f := range d.SuggestedFixes {
				r.fixes = append(r.fixes, f.Message)
			}
			l := line{r.pos.Filename, r.pos.Line}
			idx.at[l] = append(idx.at[l], r)
			for _, rel := range d.Related {
				p := fset.Position(rel.Pos)
				l := line{p.Filename, p.Line}
				if !slices.Contains(idx.relatedAt[l], r) {
					idx.relatedAt[l] = append(idx.relatedAt[l], r)
				}
			}
		}
	}
	return idx
}

// file finds an analysed file by the path a profile records: absolute, or
// importpath/file.go under -trimpath.
func (idx *reportIndex) file(name string) *fileInfo {
	if fi := idx.files[name]; fi != nil {
		return fi
	}
	return idx.files[filepath.ToSlash(name)]
}

// explain writes what the linter says of one site and reports whether a
// report explains it: one at the blocking line, or relating it, or else one
// at a line of the goroutine's stack further out (a call that blocks in a
// callee).
func (idx *reportIndex) explain(w *strings.Builder, s leakcheck.Site, flags map[string]bool, tests bool) bool {
	fmt.Fprintf(w, "\n%d goroutine%s leaked at %s:%d", s.Count, plural(s.Count, "", "s"), s.Blocked.File, s.Blocked.Line)
	if s.Reason != "" {
		fmt.Fprintf(w, " (%s)", s.Reason)
	}
	fmt.Fprintf(w, " in %s\n", s.Blocked.Function)

	frames := append([]leakcheck.Frame{s.Blocked}, s.Stack...)
	for i, f := range frames {
		fi := idx.file(f.File)
		if fi == nil || i > 0 && f == s.Blocked {
			continue
		}
		l := line{fi.abs, f.Line}
		rs, how := idx.at[l], "reported"
		if len(rs) == 0 {
			rs, how = idx.relatedAt[l], "reported, relating this line"
		}
		if len(rs) == 0 {
			rs, how = idx.enclosingLoop(fi, f.Line)
		}
		if len(rs) == 0 && i == 0 && s.CreatedBy.File != "" {
			if cf := idx.file(s.CreatedBy.File); cf != nil {
				rs = idx.relatedAt[line{cf.abs, s.CreatedBy.Line}]
				how = fmt.Sprintf("reported at another line, relating the go statement that started it (%s:%d)", s.CreatedBy.File, s.CreatedBy.Line)
			}
		}
		if len(rs) == 0 {
			continue
		}
		if i > 0 {
			how += fmt.Sprintf(" (at %s:%d in %s, further out on the goroutine's stack)", f.File, f.Line, f.Function)
		}
		for _, r := range rs {
			fmt.Fprintf(w, "\t%s: %s: %s\n", how, r.pos, r.message)
			for _, rel := range r.related {
				fmt.Fprintf(w, "\t\t%s: %s\n", r.fset.Position(rel.Pos), rel.Message)
			}
			for _, fix := range r.fixes {
				fmt.Fprintf(w, "\t\tsuggested fix: %s\n", fix)
			}
		}
		return true
	}
	fmt.Fprintf(w, "\tunexplained: the linter is silent here\n")
	fmt.Fprintf(w, "\tblind spot: %s\n", idx.blindSpot(s, flags, tests))
	return false
}

// enclosingLoop finds the reports placed on a loop that encloses the line
// in its function (loopleak's place: a loop whose only way out never
// comes blocks in its select).
func (idx *reportIndex) enclosingLoop(fi *fileInfo, l int) ([]*report, string) {
	tf := fi.fset.File(fi.syntax.Pos())
	if tf == nil || l < 1 || l > tf.LineCount() {
		return nil, ""
	}
	pos := tf.LineStart(l)
	path, _ := astutil.PathEnclosingInterval(fi.syntax, pos, pos)
	for _, n := range path {
		switch n.(type) {
		case *ast.FuncLit, *ast.FuncDecl:
			return nil, ""
		case *ast.ForStmt, *ast.RangeStmt:
			loop := fi.fset.Position(n.Pos()).Line
			if rs := idx.at[line{fi.abs, loop}]; len(rs) > 0 {
				return rs, fmt.Sprintf("reported on the loop that encloses this line (line %d)", loop)
			}
		}
	}
	return nil, ""
}

// blindSpot says why the linter may be silent at a site: what it can tell
// from the site and the flags, else the documented blind spots that fit
// the wait reason.
func (idx *reportIndex) blindSpot(s leakcheck.Site, flags map[string]bool, tests bool) string {
	fi := idx.file(s.Blocked.File)
	switch {
	case fi == nil && isStd(s.Blocked.Function):
		return "the goroutine blocks in the standard library, which the linter does not report on"
	case fi == nil && strings.HasSuffix(s.Blocked.File, "_test.go") && !tests:
		return fmt.Sprintf("%s is a test file, and -test=false leaves tests out", filepath.Base(s.Blocked.File))
	case fi == nil:
		return fmt.Sprintf("%s is not among the packages analysed: name the packages the profiled program was built from, at the revision it ran (or it was built with -trimpath from another module)", s.Blocked.File)
	}
	for _, l := range []int{s.Blocked.Line, s.Blocked.Line - 1} {
		if d, ok := fi.directives[l]; ok {
			return fmt.Sprintf("a directive silences the line: %s", d)
		}
	}
	flag := patternFlag(s.Reason)
	if flag != "" && !flags[flag] {
		return fmt.Sprintf("the pattern is switched off (-%s=false)", flag)
	}
	if strings.HasSuffix(s.Blocked.File, "_test.go") && !flags["testfail"] {
		return "a goroutine of a test: if it leaks only when the test fails, -testfail reports it (#test-failure-paths)"
	}
	var spots []string
	switch flag {
	case "sync":
		spots = append(spots, "syncleak proves a lock left held, a WaitGroup nothing calls Done on and a Cond nothing signals; circular waits among goroutines, lost wake-ups and lock orders that depend on timing are beyond it (#syncleak)")
	case "recv", "send":
		spots = append(spots, "the channel reaches code the linter does not follow: passed to a function whose body it does not see, stored in a field, map or slice, returned, or received as a parameter from an unknown caller; or what would release it happens in another goroutine, a callback or a deferred call, whose timing it does not follow (#what-it-does-not-report)")
	default:
		spots = append(spots, "not a channel or sync wait the linter models")
	}
	return "cannot tell which; " + strings.Join(spots, "; or ")
}

// patternFlag is the flag of the pattern that reports goroutines blocked
// for the reason given.
func patternFlag(reason string) string {
	switch {
	case strings.HasPrefix(reason, "chan send"):
		return "send"
	case strings.HasPrefix(reason, "chan receive"), strings.HasPrefix(reason, "select"):
		return "recv"
	case strings.HasPrefix(reason, "sync."):
		return "sync"
	}
	return ""
}

// isStd reports whether a function is in the standard library: the first
// element of its package path has no dot.
func isStd(function string) bool {
	pkg := function
	slash := strings.LastIndex(pkg, "/")
	if i := strings.Index(pkg[slash+1:], "."); i >= 0 {
		pkg = pkg[:slash+1+i]
	}
	first, _, _ := strings.Cut(pkg, "/")
	return pkg != "main" && !strings.Contains(first, ".")
}
