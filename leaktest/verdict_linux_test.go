package leaktest

import (
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/goroutineleak/goroutineleak/leaktest/internal/verdictfilter"
)

// TestFilterProcess runs this test binary, which imports leaktest, as the filter, as leaktest does
// the test binary of a package that calls Main: it filters, acknowledges
// the token, and exits in its init before package os, and so before any
// package that prints or opens anything, is initialised.
func TestFilterProcess(t *testing.T) {
	ackRead, ackWrite, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer ackRead.Close()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), verdictfilter.EnvKey+"=n0nce", "GODEBUG=inittrace=1")
	cmd.Stdin = strings.NewReader("--- PASS: TestA\nPASS\ncoverage: 1%\nleaktest: report\nFAIL\n" + string(verdictfilter.Token("n0nce", true)) + "after\n")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.ExtraFiles = []*os.File{ackWrite}
	err = cmd.Run()
	ackWrite.Close()
	if err != nil {
		t.Fatalf("filter: %v\n%s", err, stderr.String())
	}
	if want := "--- PASS: TestA\ncoverage: 1%\nleaktest: report\nFAIL\nafter\n"; stdout.String() != want {
		t.Errorf("filter wrote %q, want %q", stdout.String(), want)
	}
	if ack, _ := io.ReadAll(ackRead); string(ack) != "." {
		t.Errorf("acknowledged %q, want %q", ack, ".")
	}
	if !strings.Contains(stderr.String(), "init syscall @") {
		t.Fatalf("no init trace:\n%s", stderr.String())
	}
	if strings.Contains(stderr.String(), "init os @") {
		t.Errorf("package os was initialised before the filter ran:\n%s", stderr.String())
	}
}

func TestOpenedForReading(t *testing.T) {
	for fdinfo, want := range map[string]bool{
		"pos:\t0\nflags:\t0100000\nmnt_id:\t15\nino:\t12345\n": true,  // O_RDONLY|O_LARGEFILE
		"pos:\t0\nflags:\t02000001\nmnt_id:\t15\n":             false, // O_WRONLY|O_CLOEXEC
		"pos:\t0\nflags:\t02\n":                                 false, // O_RDWR
		"pos:\t0\n":                                             false,
	} {
		if got := openedForReading(fdinfo); got != want {
			t.Errorf("openedForReading(%q) = %v, want %v", fdinfo, got, want)
		}
	}
}
