package main

import (
	"fmt"
	"io"
	"strings"

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
