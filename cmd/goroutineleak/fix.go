package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// -fix in x/tools' checker applies the first suggested fix of each report,
// prints nothing and exits 0, even when reports without a fix remain. The
// standalone command wraps it: it runs itself once with -fix (the
// checker's own fixing, in a child process, since the checker exits when
// done), then once without, which prints the reports that remain, and
// exits 3 when there are any.

// fixPassEnv marks the child that applies the fixes: it runs the checker
// as it is.
const fixPassEnv = "GOROUTINELEAK_FIX_PASS"

// fixRequested reports whether args (the command's, without its name)
// ask the standalone checker to apply fixes, and returns them without the
// -fix flag, for the pass that lists what remains. -diff only prints the
// fixes, and go vet's or go fix's unit checker (a .cfg argument) reports
// on its own: neither is wrapped.
func fixRequested(args []string) (bool, []string) {
	if os.Getenv(fixPassEnv) != "" || len(args) == 0 || strings.HasSuffix(args[len(args)-1], ".cfg") {
		return false, nil
	}
	fix := false
	var rest []string
	for i, a := range args {
		if a == "--" || !strings.HasPrefix(a, "-") {
			rest = append(rest, args[i:]...)
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch name {
		case "fix":
			on := true
			if hasValue {
				on, _ = strconv.ParseBool(value)
			}
			fix = on
			continue
		case "diff":
			if on, err := strconv.ParseBool(value); !hasValue || err == nil && on {
				return false, nil
			}
		}
		rest = append(rest, a)
	}
	return fix, rest
}

// fixAndReport applies the fixes, then lists the reports left, and
// returns the exit code: that of the fixing pass when it fails, 3 when
// reports remain, 0 otherwise.
func fixAndReport(args, rest []string, stdout, stderr io.Writer) int {
	self, err := os.Executable()
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "%s: -fix: %v\n", progname, err)
		return 1
	}
	env := append(os.Environ(), fixPassEnv+"=1")
	fixing := exec.Command(self, args...)
	fixing.Env, fixing.Stdout, fixing.Stderr = env, stdout, stderr
	if code := exitCode(fixing.Run()); code != 0 {
		return code
	}
	var out, errs bytes.Buffer
	listing := exec.Command(self, rest...)
	listing.Env, listing.Stdout, listing.Stderr = env, &out, &errs
	code := exitCode(listing.Run())
	if code != 0 && code != 3 {
		_, _ = io.Copy(stdout, &out)
		_, _ = io.Copy(stderr, &errs)
		return code
	}
	n, err := countReports(out.Bytes(), errs.Bytes(), jsonRequested(rest))
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "%s: -fix: reading the reports that remain: %v\n", progname, err)
		return 1
	}
	_, _ = io.Copy(stdout, &out)
	if n == 0 {
		return 0
	}
	if !jsonRequested(rest) {
		_, _ = fmt.Fprintf(stderr, "%s: -fix applied the suggested fixes; %s no fix and remain%s:\n", progname, reportsHave(n), plural(n, "s", ""))
		_, _ = io.Copy(stderr, &errs)
	}
	return 3
}

func reportsHave(n int) string {
	if n == 1 {
		return "1 report has"
	}
	return strconv.Itoa(n) + " reports have"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// countReports counts the reports in the checker's output: the lines of
// the text output that are not related positions (those carry a tab after
// the position), or the diagnostics of -json.
func countReports(stdout, stderr []byte, isJSON bool) (int, error) {
	if !isJSON {
		n := 0
		for _, line := range strings.Split(string(stderr), "\n") {
			if line != "" && !strings.Contains(line, ": \t") {
				n++
			}
		}
		return n, nil
	}
	n := 0
	dec := json.NewDecoder(bytes.NewReader(stdout))
	for dec.More() {
		var tree map[string]map[string]json.RawMessage
		if err := dec.Decode(&tree); err != nil {
			return 0, fmt.Errorf("decoding -json output: %w", err)
		}
		for _, byAnalyzer := range tree {
			for _, raw := range byAnalyzer {
				var diags []json.RawMessage
				if json.Unmarshal(raw, &diags) == nil {
					n += len(diags)
				}
			}
		}
	}
	return n, nil
}

func jsonRequested(args []string) bool {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name == "json" {
			on, err := strconv.ParseBool(value)
			return !hasValue || err == nil && on
		}
	}
	return false
}

func exitCode(err error) int {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	return 1
}
