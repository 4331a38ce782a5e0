package leaktest

import (
	"crypto/rand"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/goroutineleak/goroutineleak/leaktest/internal/verdictfilter"
)

// A verdictHold sends the test process's output through the filter of
// package verdictfilter, which holds back the testing package's PASS line
// until Main's verdict.
type verdictHold struct {
	nonce string
	ack   int // read end of the pipe the filter acknowledges the token on

	mu       sync.Mutex
	saved    []savedFD // the redirected descriptors and copies of what they were
	restored bool      // the descriptors are the original ones again
}

type savedFD struct{ fd, original int }

// holdVerdict starts the filter and redirects the standard output to it,
// and the standard error when it goes to the same place. It returns nil,
// and changes nothing, unless the standard output is a pipe that the
// parent process reads, as go test's is (go test ./..., go test -json, go
// test -v with packages, CI): then the parent reads to the end of the pipe,
// which the filter keeps open until it has written everything, even when
// the test process crashes, before it writes anything of its own. Where
// the output goes straight to a terminal or a file (go test with no
// packages, in the package's directory), the parent would not wait for
// the filter after a crash, and its own lines (FAIL, exit status 2)
// could come before the last of the test's.
func holdVerdict() *verdictHold {
	if !parentReadsPipe(syscall.Stdout) {
		return nil
	}
	fds := []int{syscall.Stdout}
	if sameFile(syscall.Stdout, syscall.Stderr) {
		fds = append(fds, syscall.Stderr)
	}
	var data, ack [2]int
	if syscall.Pipe2(data[:], syscall.O_CLOEXEC) != nil {
		return nil
	}
	if syscall.Pipe2(ack[:], syscall.O_CLOEXEC) != nil {
		closeAll(data[:]...)
		return nil
	}
	h := &verdictHold{nonce: rand.Text(), ack: ack[0]}
	for _, fd := range fds {
		original, err := dupCloseOnExec(fd)
		if err != nil {
			h.closeSaved()
			closeAll(data[0], data[1], ack[0], ack[1])
			return nil
		}
		h.saved = append(h.saved, savedFD{fd, original})
	}
	filterStderr := uintptr(syscall.Stderr)
	if len(h.saved) == 2 {
		filterStderr = uintptr(h.saved[1].original)
	}
	pid, err := syscall.ForkExec("/proc/self/exe", []string{os.Args[0]}, &syscall.ProcAttr{
		Env:   append(os.Environ(), verdictfilter.EnvKey+"="+h.nonce),
		Files: []uintptr{uintptr(data[0]), uintptr(h.saved[0].original), filterStderr, uintptr(ack[1])},
		// Its own process group: a Ctrl-C at the terminal, which ends the
		// tests, must not end the filter before it has written their output.
		Sys: &syscall.SysProcAttr{Setpgid: true},
	})
	closeAll(data[0], ack[1])
	if err != nil {
		h.closeSaved()
		closeAll(data[1], ack[0])
		return nil
	}
	for _, s := range h.saved {
		_ = syscall.Dup3(data[1], s.fd, 0)
	}
	closeAll(data[1])
	go func() {
		// Should the filter die, the output goes straight out again.
		var status syscall.WaitStatus
		for {
			_, err := syscall.Wait4(pid, &status, 0, nil)
			if err == syscall.EINTR {
				continue
			}
			if err == nil {
				h.restoreOutput()
			}
			return
		}
	}()
	return h
}

// finish tells the filter the verdict, waits until it has written all the
// output before it, and restores the standard output and error.
func (h *verdictHold) finish(passOverridden bool) {
	if h == nil {
		return
	}
	h.mu.Lock()
	if !h.restored {
		// Not once the filter has died: the token would go out.
		token := verdictfilter.Token(h.nonce, passOverridden)
		for len(token) > 0 {
			n, err := syscall.Write(syscall.Stdout, token)
			if err == syscall.EINTR {
				continue
			}
			if err != nil {
				break
			}
			token = token[n:]
		}
	}
	h.mu.Unlock()
	var b [1]byte
	for {
		// One byte once the filter has written everything before the
		// token; nothing if it has died.
		if _, err := syscall.Read(h.ack, b[:]); err != syscall.EINTR {
			break
		}
	}
	closeAll(h.ack)
	h.restoreOutput()
}

func (h *verdictHold) restoreOutput() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.restored {
		return
	}
	h.restored = true
	for _, s := range h.saved {
		_ = syscall.Dup3(s.original, s.fd, 0)
	}
	h.closeSaved()
}

func (h *verdictHold) closeSaved() {
	for _, s := range h.saved {
		closeAll(s.original)
	}
	h.saved = nil
}

func closeAll(fds ...int) {
	for _, fd := range fds {
		_ = syscall.Close(fd)
	}
}

func dupCloseOnExec(fd int) (int, error) {
	dup, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_DUPFD_CLOEXEC, 0)
	if errno != 0 {
		return -1, errno
	}
	return int(dup), nil
}

// sameFile reports whether two descriptors refer to the same file, as
// go test's standard output and error do.
func sameFile(a, b int) bool {
	var sa, sb syscall.Stat_t
	return syscall.Fstat(a, &sa) == nil && syscall.Fstat(b, &sb) == nil && sa.Dev == sb.Dev && sa.Ino == sb.Ino
}

// parentReadsPipe reports whether fd is a pipe whose read end the parent
// process holds.
func parentReadsPipe(fd int) bool {
	var st syscall.Stat_t
	if syscall.Fstat(fd, &st) != nil || st.Mode&syscall.S_IFMT != syscall.S_IFIFO {
		return false
	}
	pipe := "pipe:[" + strconv.FormatUint(st.Ino, 10) + "]"
	parent := "/proc/" + strconv.Itoa(os.Getppid())
	entries, err := os.ReadDir(parent + "/fd")
	if err != nil {
		return false
	}
	for _, e := range entries {
		if link, err := os.Readlink(parent + "/fd/" + e.Name()); err != nil || link != pipe {
			continue
		}
		if info, err := os.ReadFile(parent + "/fdinfo/" + e.Name()); err == nil && openedForReading(string(info)) {
			return true
		}
	}
	return false
}

// openedForReading reads the access mode in the "flags:" line (octal) of
// a /proc/PID/fdinfo file.
func openedForReading(fdinfo string) bool {
	for line := range strings.Lines(fdinfo) {
		if value, ok := strings.CutPrefix(line, "flags:"); ok {
			flags, err := strconv.ParseUint(strings.TrimSpace(value), 8, 64)
			return err == nil && flags&syscall.O_ACCMODE == syscall.O_RDONLY
		}
	}
	return false
}
