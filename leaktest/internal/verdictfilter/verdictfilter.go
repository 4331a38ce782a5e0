// Package verdictfilter is the process that lets leaktest.Main print its
// leak report in place of the testing package's PASS line.
//
// The testing package prints PASS once the tests have passed, before
// Main can look for leaks, and has no hook in between. So the test
// process (leaktest) starts this filter: the test binary again, with
// EnvKey set, which this package's init recognises. The filter reads the
// test process's standard output (and its standard error, when both go to
// the same place) from a pipe and copies it to the real one as it comes,
// except that it holds back a PASS line (and what follows it) until the
// test process writes the token Token(nonce, overridden): then it drops
// the PASS line if the verdict overrode it, writes the rest, and says so
// on file descriptor 3. When the test process dies first (a panic,
// os.Exit, a kill), the filter reads to the end of the pipe and writes
// everything, the PASS line too: nothing written is lost.
//
// The filter must run before any code of the test's packages does: its
// init runs in the test binary, and it exits there. Go initialises the
// packages in the order of their import paths, each after those it
// imports. This package imports syscall alone (not even bytes, which
// waits for unicode), so it is initialised before os, and before every
// package that imports os, which any package that opens a file, a socket
// or a database, or prints, does. A package that imports none of them
// (constants, tables) may be initialised earlier; that is harmless.
package verdictfilter

import "syscall"

// EnvKey names the environment variable that makes the test binary the
// filter; its value is the nonce of the token.
const EnvKey = "LEAKTEST_VERDICT_FILTER"

// The verdicts a token carries.
const (
	kept       = 'K' // the PASS line stands
	overridden = 'O' // the leak report replaced the PASS line
)

// Token is what the test process writes to the pipe once the verdict is
// known. The nonce, random for each run, keeps a test's output from
// forging it.
func Token(nonce string, passOverridden bool) []byte {
	verdict := byte(kept)
	if passOverridden {
		verdict = overridden
	}
	return append(tokenPrefix(nonce), verdict)
}

func tokenPrefix(nonce string) []byte {
	return []byte("\x00leaktest-verdict-" + nonce + ":")
}

// The lines the filter holds back: the testing package's verdict, and the
// same marked for test2json under go test -json.
var passLines = [][]byte{[]byte("PASS\n"), []byte("\x16PASS\n")}

// The file descriptors of the filter process.
const (
	input  = 0 // the test process's output, a pipe
	output = 1 // the real standard output
	ack    = 3 // written and closed once the token is handled
)

func init() {
	nonce, ok := syscall.Getenv(EnvKey)
	if !ok {
		return
	}
	syscall.Exit(run(nonce))
}

// run copies input to output through a filter until the end of input.
func run(nonce string) int {
	// The descriptors may have been left non-blocking by another
	// program; the loops below expect blocking ones.
	_ = syscall.SetNonblock(input, false)
	_ = syscall.SetNonblock(output, false)
	f := &filter{token: tokenPrefix(nonce), write: writeAll, acknowledge: func() {
		_, _ = syscall.Write(ack, []byte{'.'})
		_ = syscall.Close(ack)
	}}
	buf := make([]byte, 64<<10)
	for {
		n, err := syscall.Read(input, buf)
		if err == syscall.EINTR {
			continue
		}
		if n <= 0 {
			break
		}
		if !f.add(buf[:n]) {
			return 1 // the real output is gone, as the test process would have found
		}
	}
	if !f.end() {
		return 1
	}
	return 0
}

// writeAll writes b to the real output; false when it cannot.
func writeAll(b []byte) bool {
	for len(b) > 0 {
		n, err := syscall.Write(output, b)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			return false
		}
		b = b[n:]
	}
	return true
}

// A filter holds back the last PASS line until the token says what
// became of it.
type filter struct {
	token       []byte // the token's prefix; the verdict byte follows
	write       func([]byte) bool
	acknowledge func()

	pending   []byte // received and not yet written
	held      bool   // pending starts with a PASS line held back
	midLine   bool   // the byte before pending is not a newline
	decided   bool   // the token has come: copy the rest as it comes
	writeFail bool
}

// add takes the next bytes of input; false once the output is gone.
func (f *filter) add(b []byte) bool {
	f.pending = append(f.pending, b...)
	f.flush()
	return !f.writeFail
}

// end writes what is pending at the end of input, a PASS line held back
// too: the test process ended without a verdict.
func (f *filter) end() bool {
	f.emit(len(f.pending))
	return !f.writeFail
}

func (f *filter) flush() {
	if f.decided {
		f.emit(len(f.pending))
		return
	}
	tokenAt := index(f.pending, f.token)
	if tokenAt >= 0 && len(f.pending) == tokenAt+len(f.token) {
		tokenAt = -1 // its verdict is still to come
	}
	limit := len(f.pending) // PASS lines count before the token only
	if tokenAt >= 0 {
		limit = tokenAt
	}
	for {
		start := f.nextPassLine(limit)
		if start < 0 {
			break
		}
		// A later PASS line releases an earlier one: only the last one
		// before the token can be the testing package's verdict.
		f.emit(start)
		f.held = true
		limit -= start
		if tokenAt >= 0 {
			tokenAt -= start
		}
	}
	if tokenAt >= 0 {
		if f.held && f.pending[tokenAt+len(f.token)] == overridden {
			n := passLineLen(f.pending)
			f.drop(n)
			tokenAt -= n
		}
		f.emit(tokenAt)
		f.pending = f.pending[len(f.token)+1:]
		f.held = false
		f.decided = true
		f.acknowledge()
		f.emit(len(f.pending))
		return
	}
	if f.held {
		return
	}
	// Keep a line that may yet become a PASS line, and the start of
	// what may yet become the token.
	f.emit(len(f.pending) - max(f.partialPassLine(), f.partialToken()))
}

// nextPassLine returns where a complete PASS line starts in
// pending[:limit], after the one held back if any, or -1.
func (f *filter) nextPassLine(limit int) int {
	from := 0
	if f.held {
		from = passLineLen(f.pending)
	}
	for s := from; s < limit; {
		if s > 0 || !f.midLine {
			for _, line := range passLines {
				if hasPrefix(f.pending[s:limit], line) {
					return s
				}
			}
		}
		nl := indexByte(f.pending[s:limit], '\n')
		if nl < 0 {
			break
		}
		s += nl + 1
	}
	return -1
}

// partialPassLine returns the length of the last line of pending if it is
// the unfinished start of a PASS line, else 0.
func (f *filter) partialPassLine() int {
	s := lastIndexByte(f.pending, '\n') + 1
	if s == 0 && f.midLine {
		return 0
	}
	tail := f.pending[s:]
	for _, line := range passLines {
		if len(tail) > 0 && hasPrefix(line, tail) {
			return len(tail)
		}
	}
	return 0
}

// partialToken returns the length of the longest end of pending that
// starts the token.
func (f *filter) partialToken() int {
	for n := min(len(f.token), len(f.pending)); n > 0; n-- {
		if hasPrefix(f.token, f.pending[len(f.pending)-n:]) {
			return n
		}
	}
	return 0
}

// passLineLen returns the length of the PASS line that pending starts
// with.
func passLineLen(pending []byte) int {
	for _, line := range passLines {
		if hasPrefix(pending, line) {
			return len(line)
		}
	}
	return 0
}

// emit writes the first n bytes of pending; a held PASS line among them
// is released.
func (f *filter) emit(n int) {
	if n <= 0 {
		return
	}
	if !f.writeFail && !f.write(f.pending[:n]) {
		f.writeFail = true
	}
	f.midLine = f.pending[n-1] != '\n'
	f.held = false
	f.pending = f.pending[n:]
}

// drop removes the first n bytes of pending unwritten.
func (f *filter) drop(n int) {
	f.pending = f.pending[n:]
	f.held = false
}

// The functions of package bytes that the filter needs, which it does not
// import: see the package documentation.

func hasPrefix(b, prefix []byte) bool {
	return len(b) >= len(prefix) && string(b[:len(prefix)]) == string(prefix)
}

func index(b, sep []byte) int {
	for i := 0; i+len(sep) <= len(b); i++ {
		if hasPrefix(b[i:], sep) {
			return i
		}
	}
	return -1
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

func lastIndexByte(b []byte, c byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == c {
			return i
		}
	}
	return -1
}
