// Package leakchecktest builds test programs that have the runtime's
// goroutineleak profile, for the tests that check leaks in a separate
// process: internal/leakcheck's fixtures and leaktest's leaking tests.
package leakchecktest

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// ToolchainEnv names the toolchain to build with, as a GOTOOLCHAIN value
// (go1.27.3); unset, programs are built by the go command on PATH as the
// environment configures it. It lets CI check leaks under a Go that has
// the profile built in while the machine's Go is older.
const ToolchainEnv = "GOROUTINELEAK_PROFILE_TOOLCHAIN"

// probeSource says whether the toolchain that built it has the profile.
//
//go:embed testdata/probe/main.go
var probeSource []byte

// ProfileEnv returns the environment under which the go command builds
// programs that have the goroutineleak profile, or skips the test. It asks
// a probe program rather than trusting version numbers: first without the
// experiment (Go 1.27 and later have the profile built in, and reject the
// experiment they no longer know), then with
// GOEXPERIMENT=goroutineleakprofile (Go 1.26).
func ProfileEnv(t testing.TB) []string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skipf("no go command to build programs with the goroutineleak profile: %v", err)
	}
	env, experiments := plainEnv()
	out, err := GoCommand(env, "env", "GOVERSION").Output()
	if err != nil {
		t.Fatalf("go env GOVERSION: %v\n%s", err, StderrOf(err))
	}
	version := strings.TrimSpace(string(out))

	var tried []string
	for _, extra := range [][]string{
		nil,
		{"GOEXPERIMENT=" + strings.Join(append(experiments, "goroutineleakprofile"), ",")},
	} {
		try := append(slices.Clip(env), extra...)
		how := "no experiment"
		if extra != nil {
			how = strings.Join(extra, " ")
		}
		if ok, err := probe(t, try); err != nil {
			tried = append(tried, fmt.Sprintf("%s: %v", how, err))
		} else if ok {
			t.Logf("programs with the goroutineleak profile built by %s (%s)", version, how)
			return try
		} else {
			tried = append(tried, how+": no profile")
		}
	}
	t.Skipf("%s has no goroutineleak profile (%s); set %s=go1.27.3 to build with a Go that has it",
		version, strings.Join(tried, "; "), ToolchainEnv)
	return nil
}

// PlainEnv returns the environment of the go command as [ProfileEnv] starts
// from: the test's own, with the toolchain [ToolchainEnv] names and without
// GOEXPERIMENT=goroutineleakprofile. Go 1.26 builds programs without the
// profile under it; Go 1.27 builds them with it.
func PlainEnv() []string {
	env, _ := plainEnv()
	return env
}

func plainEnv() (env, experiments []string) {
	env, experiments = withoutLeakExperiment(os.Environ())
	if tc := os.Getenv(ToolchainEnv); tc != "" {
		env = append(env, "GOTOOLCHAIN="+tc)
	}
	return env, experiments
}

// withoutLeakExperiment drops goroutineleakprofile from GOEXPERIMENT in
// env, so that the probe decides whether the builds need it, and returns
// the other experiments named there.
func withoutLeakExperiment(env []string) (rest, experiments []string) {
	for _, kv := range env {
		value, ok := strings.CutPrefix(kv, "GOEXPERIMENT=")
		if !ok {
			rest = append(rest, kv)
			continue
		}
		for _, e := range strings.Split(value, ",") {
			if e != "" && e != "goroutineleakprofile" {
				experiments = append(experiments, e)
			}
		}
	}
	if len(experiments) > 0 {
		rest = append(rest, "GOEXPERIMENT="+strings.Join(experiments, ","))
	}
	return rest, experiments
}

// StderrOf returns what a command that failed wrote to its standard error,
// when the command's Output method collected it.
func StderrOf(err error) []byte {
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		return ee.Stderr
	}
	return nil
}

// probe builds and runs the probe program under env and reports whether
// the program had the profile. A build error counts as no profile: Go 1.27
// rejects the experiment it no longer knows, an old Go any it never knew.
// The probe is built outside any module, so that it needs nothing but the
// standard library.
func probe(t testing.TB, env []string) (bool, error) {
	dir := t.TempDir()
	src := filepath.Join(dir, "probe.go")
	if err := os.WriteFile(src, probeSource, 0o644); err != nil {
		return false, fmt.Errorf("writing the probe: %w", err)
	}
	exe := filepath.Join(dir, "probe")
	cmd := GoCommand(append(slices.Clip(env), "GOFLAGS=", "GOWORK=off"), "build", "-o", exe, src)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		first, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
		return false, fmt.Errorf("build failed: %s", first)
	}
	out, err := exec.Command(exe).Output()
	if err != nil {
		return false, fmt.Errorf("probe: %w: %s", err, StderrOf(err))
	}
	return strings.TrimSpace(string(out)) == "yes", nil
}

// GoCommand returns the go command with args, run under env.
func GoCommand(env []string, args ...string) *exec.Cmd {
	cmd := exec.Command("go", args...)
	cmd.Env = env
	return cmd
}
