package send

import (
	"bufio"
	"io"
)

// lines is a generator: nothing but its caller drains its channel.
func lines(r io.Reader) <-chan string {
	out := make(chan string)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			out <- sc.Text()
		}
	}()
	return out
}

func firstBad(r io.Reader, bad func(string) bool) string {
	for l := range lines(r) { // want `goroutine started by lines blocks for ever sending on the channel it returns once firstBad stops ranging over it`
		if bad(l) {
			return l
		}
	}
	return ""
}

func firstBadThroughVariable(r io.Reader, bad func(string) bool) string {
	ch := lines(r)
	for l := range ch { // want `goroutine started by lines blocks for ever sending on the channel it returns once firstBadThroughVariable stops ranging over it`
		if bad(l) {
			break
		}
	}
	return ""
}

// Twins: a caller that drains the channel, and a generator its caller can
// stop (its sends wait on done too).
func countLines(r io.Reader) int {
	n := 0
	for range lines(r) {
		n++
	}
	return n
}

func stoppableLines(r io.Reader, done <-chan struct{}) <-chan string {
	out := make(chan string)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			select {
			case out <- sc.Text():
			case <-done:
				return
			}
		}
	}()
	return out
}

func firstBadStoppable(r io.Reader, bad func(string) bool) string {
	done := make(chan struct{})
	defer close(done)
	for l := range stoppableLines(r, done) {
		if bad(l) {
			return l
		}
	}
	return ""
}
