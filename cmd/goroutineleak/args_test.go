package main

import (
	"flag"
	"strings"
	"testing"
)

func TestSplitArgs(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.Bool("loop", true, "")
	fs.String("sendfix", "buffer", "")
	takesValue := takesValueIn(fs)
	for _, tc := range []struct {
		args                       string
		flags, packages, misplaced string
		usageError                 string
	}{
		{"./...", "", "./...", "", ""},
		{"-loop=false ./...", "-loop=false", "./...", "", ""},
		{"./... -loop=false", "", "./... -loop=false", "-loop=false",
			"flags go before the packages: move -loop=false before ./..."},
		{"-json ./a ./b -loop=false -fix", "-json", "./a ./b -loop=false -fix", "-loop=false -fix",
			"flags go before the packages: move -loop=false -fix before ./a"},
		// A flag's value is not a package: -c 3, -sendfix select.
		{"-c 3 -json ./...", "-c 3 -json", "./...", "", ""},
		{"-sendfix select -loop ./...", "-sendfix select -loop", "./...", "", ""},
		{"-c=3 ./...", "-c=3", "./...", "", ""},
		// After --, everything is a package, as for the flag package.
		{"-json -- ./...", "-json", "./...", "", ""},
		{"-json", "-json", "", "", "no packages to analyse: goroutineleak [-flag ...] package ... (./... for the module)"},
		{"", "", "", "", "no packages to analyse: goroutineleak [-flag ...] package ... (./... for the module)"},
		// go vet's questions, and -help, need no packages.
		{"-flags", "-flags", "", "", ""},
		{"-V=full", "-V=full", "", "", ""},
		{"-help", "-help", "", "", ""},
		{"--help", "--help", "", "", ""},
		{"-profile leak.pb.gz", "-profile leak.pb.gz", "", "", ""},
		{"-profile leak.pb.gz ./... -json", "-profile leak.pb.gz", "./... -json", "-json", "flags go before the packages: move -json before ./..."},
	} {
		c := splitArgs(strings.Fields(tc.args), takesValue)
		got := [3]string{strings.Join(c.flags, " "), strings.Join(c.packages, " "), strings.Join(c.misplaced, " ")}
		if want := [3]string{tc.flags, tc.packages, tc.misplaced}; got != want {
			t.Errorf("%q: flags, packages, misplaced = %q, want %q", tc.args, got, want)
		}
		if msg := c.usageError(); msg != tc.usageError {
			t.Errorf("%q: usage error %q, want %q", tc.args, msg, tc.usageError)
		}
	}
}
