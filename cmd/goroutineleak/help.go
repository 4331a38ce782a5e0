package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/goroutineleak/goroutineleak/analyzers/goroutineleak"
	"github.com/goroutineleak/goroutineleak/internal/leak"
)

// help is `goroutineleak help [pattern ...]`: it writes the overview (no
// args) or the documentation of the named patterns, by analyzer name
// (recvleak) or flag (recv), and returns the exit code.
func help(stdout, stderr io.Writer, args []string) int {
	text, err := helpText(args)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "%s: %v\n", progname, err)
		return 2
	}
	if _, err := io.WriteString(stdout, text); err != nil {
		return 1
	}
	return 0
}

func helpText(args []string) (string, error) {
	var b strings.Builder
	if len(args) == 0 || len(args) == 1 && args[0] == progname {
		overview(&b)
		return b.String(), nil
	}
	for i, name := range args {
		row, ok := patternNamed(name)
		if !ok {
			return "", fmt.Errorf("no pattern named %q (known: %s)", name, strings.Join(patternNames(), ", "))
		}
		if i > 0 {
			b.WriteString("\n")
		}
		patternDoc(&b, row)
	}
	return b.String(), nil
}

func overview(w *strings.Builder) {
	fmt.Fprintf(w, `%[1]s: report goroutines that can never finish

Usage:
  %[1]s [-flag] [package ...]
  go vet -vettool=$(which %[1]s) [-flag] [package ...]
  %[1]s help [pattern ...]
  %[1]s -profile FILE [-flag] [package ...]   match a saved goroutineleak profile's sites to reports

It reports only what it can prove from the code it sees: a channel that
reaches unknown code is never reported. Each pattern has a flag that
switches it on or off:

`, progname)
	for _, row := range leak.Patterns {
		if row.Flag == "" {
			continue
		}
		fmt.Fprintf(w, "  %-9s -%-9s %s%s\n", row.Name, row.Flag, row.Summary, offByDefault(row))
	}
	fmt.Fprintf(w, `
A //goroutineleak:ignore directive with a reason silences a report; one
without a reason is itself reported.

Run '%[1]s help <pattern>' for a pattern's documentation (for
example '%[1]s help recvleak'), and '%[1]s -help' for every flag.
`, progname)
}

func patternDoc(w *strings.Builder, row leak.PatternInfo) {
	fmt.Fprintf(w, "%s: %s\n\n", row.Name, row.Summary)
	fmt.Fprintf(w, "Flag: -%s (default %t)\n\n", row.Flag, !row.OffByDefault)
	fmt.Fprintf(w, "%s\n\nMore: %s\n", row.Doc, row.Pattern.URL())
}

func offByDefault(row leak.PatternInfo) string {
	if row.OffByDefault {
		return " (off by default)"
	}
	return ""
}

// patternNamed finds a reportable pattern by its name or its flag.
func patternNamed(name string) (leak.PatternInfo, bool) {
	for _, row := range leak.Patterns {
		if row.Flag != "" && (name == row.Name || name == row.Flag || name == "-"+row.Flag) {
			return row, true
		}
	}
	return leak.PatternInfo{}, false
}

func patternNames() []string {
	var names []string
	for _, row := range leak.Patterns {
		if row.Flag != "" {
			names = append(names, row.Name)
		}
	}
	return names
}

// userFlags are the flags -help lists first, in groups, after the
// patterns' own; every other flag of the command line is the driver's.
var userFlags = []struct {
	title string
	names []string
}{
	{"Output and fixes", []string{"json", "c", "fix", "diff", goroutineleak.SendFixFlag}},
	{"What to analyse", []string{"test"}},
	{"Version", []string{"V"}},
}

// plainerUsage words what the driver's flags do in this command: -fix
// applies one fix per report and lists what is left.
var plainerUsage = map[string]string{
	"fix":  "apply each report's fix (one per report), then list the reports that have none (exit 3 if any)",
	"diff": "with -fix, print the fixes as a unified diff instead of applying them",
	"test": "analyse the packages' test files too",
	"c":    "print each report's line with `N` lines of context",
}

// flagsHelp is -help: the usage, the patterns' flags, the flags users
// set, how to pass build tags and choose a fix, then the driver's other
// flags (profiling, debugging and vet's deprecated no-ops). fs is the
// command line's flag set, with every flag defined.
func flagsHelp(w io.Writer, fs *flag.FlagSet) {
	var b strings.Builder
	fmt.Fprintf(&b, `%[1]s: report goroutines that can never finish

Usage:
  %[1]s [-flag ...] package ...       flags go before the packages
  go vet -vettool=$(which %[1]s) [-flag ...] package ...
  %[1]s help [pattern ...]            the patterns, or one pattern's documentation
  %[1]s -profile FILE [-flag ...] package ...
      match each site of a goroutineleak profile saved from the program to a report
`, progname)
	listed := map[string]bool{}
	group := func(title string, names []string) {
		sub := flag.NewFlagSet(title, flag.ContinueOnError)
		for _, name := range names {
			if f := fs.Lookup(name); f != nil && !listed[name] {
				usage := f.Usage
				if u, ok := plainerUsage[name]; ok {
					usage = u
				}
				sub.Var(f.Value, f.Name, usage)
				listed[name] = true
			}
		}
		fmt.Fprintf(&b, "\n%s:\n", title)
		sub.SetOutput(&b)
		sub.PrintDefaults()
	}
	group("Patterns (each on or off: -loop=false)", goroutineleak.FlagNames())
	for _, g := range userFlags {
		group(g.title, g.names)
	}
	fmt.Fprintf(&b, `
Build tags and other build settings are the go command's, through GOFLAGS:
  GOFLAGS=-tags=integration %[1]s ./...
(-tags below is a no-op kept for old vet scripts.)

Fixes: -fix applies one fix per report. A send no receiver takes can have
two: a buffer for every send (the default) and, when the path that
abandons the send cancels a context or closes a done channel, a select on
it; -%[2]s=select applies the select where there is one (golangci-lint:
the setting %[2]s: select).
`, progname, goroutineleak.SendFixFlag)
	var others []string
	fs.VisitAll(func(f *flag.Flag) {
		if !listed[f.Name] {
			others = append(others, f.Name)
		}
	})
	group("Other flags of the go/analysis driver (profiling, debugging, deprecated)", others)
	_, _ = io.WriteString(w, b.String())
}
