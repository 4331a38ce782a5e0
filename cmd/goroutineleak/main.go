// Command goroutineleak reports goroutines that can never finish.
//
// Run it standalone:
//
//	goroutineleak ./...
//
// or as a vet tool:
//
//	go vet -vettool=$(which goroutineleak) ./...
//
// Flags go before the packages (args.go): -recv=false, -send=false,
// -loop=false and -sync=false switch a pattern off, -testfail switches
// test-failure leaks on. -help lists the flags users set first (help.go);
// a bad flag prints its error and a pointer to -help. `goroutineleak help`
// lists the patterns, `goroutineleak help recvleak` (or any pattern's name
// or flag) prints its documentation, and -V=full prints the module version,
// the VCS revision and the build ID that go vet caches results by. With
// -fix it applies one fix per report (-sendfix=select: a send's select in
// place of its buffer), then lists the reports that have none and exits 3
// when there are any (fix.go). With -profile FILE it reads a goroutineleak
// profile saved from the running program and matches each leaked site to a
// report (profile.go).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/goroutineleak/goroutineleak/analyzers/goroutineleak"
	"golang.org/x/tools/go/analysis/singlechecker"
)

const progname = "goroutineleak"

// helpRequested finds "help" as the first argument that is not a flag
// (goroutineleak help, or goroutineleak -json help), and returns what
// follows it. Flags before it change nothing: help prints the same.
func helpRequested(args []string) ([]string, bool) {
	for i, a := range args {
		if !strings.HasPrefix(a, "-") {
			return args[i+1:], a == "help"
		}
	}
	return nil, false
}

func main() {
	// go vet's usage says "Run '.../goroutineleak help' for a full list";
	// singlechecker would take "help" for a package pattern.
	if rest, ok := helpRequested(os.Args[1:]); ok {
		os.Exit(help(os.Stdout, os.Stderr, rest))
	}
	// One fix per report, the same one golangci-lint's plugin applies: the
	// checker would apply the first anyway, and log each other one.
	analyzer, err := goroutineleak.New(goroutineleak.Config{FirstFixOnly: true})
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", progname, err)
		os.Exit(1)
	}
	line := splitArgs(os.Args[1:], takesValueIn(&analyzer.Flags))
	if msg := line.usageError(); msg != "" {
		fmt.Fprintf(os.Stderr, "%s: %s\n%s", progname, msg, seeHelp)
		os.Exit(2)
	}
	// singlechecker keeps a -V flag that is already defined.
	flag.Var(versionFlag{}, "V", "print version and exit (-V=full: also the build ID, for go vet)")
	// A bad flag: its error and where to look, not every flag of the
	// driver. -help: the flags users set first (singlechecker's flag.Usage
	// is not called: the command line's own Usage is set).
	output := &flagErrorOutput{w: os.Stderr}
	flag.CommandLine.SetOutput(output)
	flag.CommandLine.Usage = func() {
		if output.wrote {
			_, _ = io.WriteString(os.Stderr, seeHelp)
			return
		}
		flagsHelp(os.Stdout, flag.CommandLine)
	}
	if line.names("profile") {
		os.Exit(explainProfile(os.Args[1:], os.Stdout, os.Stderr))
	}
	if fix, rest := fixRequested(os.Args[1:]); fix {
		os.Exit(fixAndReport(os.Args[1:], rest, os.Stdout, os.Stderr))
	}
	singlechecker.Main(analyzer)
}
