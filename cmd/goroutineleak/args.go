package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// The flag package stops at the first argument that is not a flag, so in
// `goroutineleak ./... -loop=false` the checker would take -loop=false for
// a package ("malformed import path"), ignore the flag and report as if it
// were not there. The command finds such flags first and says where they go.

// driverValueFlags are the flags of x/tools' singlechecker that take a
// value, so that `-c 3` is read as one flag; TestValueFlags checks them
// against the binary's -flags.
var driverValueFlags = []string{"c", "cpuprofile", "memprofile", "trace", "debug", "tags", "profile"}

// A commandLine is the command's arguments split as the flag package
// splits them: the flags, then the packages, and the flags that came
// after a package.
type commandLine struct {
	flags, packages, misplaced []string
}

// splitArgs splits args; takesValue says whether a flag given without
// "=value" takes the next argument as its value.
func splitArgs(args []string, takesValue func(name string) bool) commandLine {
	var c commandLine
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			c.packages = args[i+1:]
			return c
		}
		if !isFlag(a) {
			c.packages = args[i:]
			for _, later := range args[i+1:] {
				if isFlag(later) && later != "--" {
					c.misplaced = append(c.misplaced, later)
				}
			}
			return c
		}
		c.flags = append(c.flags, a)
		if name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "="); !hasValue && takesValue(name) && i+1 < len(args) {
			i++
			c.flags = append(c.flags, args[i])
		}
	}
	return c
}

// isFlag is the flag package's test: a dash and at least one more character.
func isFlag(arg string) bool {
	return len(arg) > 1 && arg[0] == '-'
}

// names reports whether one of the flags is named one of names.
func (c commandLine) names(names ...string) bool {
	for _, f := range c.flags {
		if name, _, _ := strings.Cut(strings.TrimLeft(f, "-"), "="); slices.Contains(names, name) {
			return true
		}
	}
	return false
}

// usageError is the error for flags after the packages, or for no
// packages at all, in the flag package's form: one line, then where to
// look. It returns "" when the command line is well formed.
func (c commandLine) usageError() string {
	switch {
	case len(c.misplaced) > 0:
		return fmt.Sprintf("flags go before the packages: move %s before %s", strings.Join(c.misplaced, " "), c.packages[0])
	case len(c.packages) == 0 && !c.names("flags", "V", "h", "help", "profile"): // -profile says what it needs itself
		return "no packages to analyse: " + progname + " [-flag ...] package ... (./... for the module)"
	}
	return ""
}

// seeHelp is the line that follows an error about the command line.
var seeHelp = fmt.Sprintf("Run '%[1]s -help' for the flags, '%[1]s help' for the patterns.\n", progname)

// takesValueIn returns takesValue for the driver's flags and those of fs
// (the analyzer's): any flag that is not a boolean.
func takesValueIn(fs *flag.FlagSet) func(string) bool {
	return func(name string) bool {
		if f := fs.Lookup(name); f != nil {
			b, ok := f.Value.(interface{ IsBoolFlag() bool })
			return !ok || !b.IsBoolFlag()
		}
		return slices.Contains(driverValueFlags, name)
	}
}

// flagErrorOutput is the output of the command line's flag set: the flag
// package writes a bad flag's error there, then calls Usage, which then
// prints only where to look (wrote is set) or, for -help, the help.
type flagErrorOutput struct {
	w     io.Writer
	wrote bool
}

func (o *flagErrorOutput) Write(p []byte) (int, error) {
	if !o.wrote {
		o.wrote = true
		if _, err := io.WriteString(o.w, progname+": "); err != nil {
			return 0, err
		}
	}
	return o.w.Write(p)
}
