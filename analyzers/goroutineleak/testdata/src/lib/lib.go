// Package lib is the library half of a cross-package pair: the facts it
// exports let package user find leaks in goroutines that run lib's code.
package lib

import (
	"context"
	"fmt"
	"os"
	"time"
)

func work() {}

func Fatalf(format string, args ...any) { // want Fatalf:"noReturn"
	fmt.Fprintf(os.Stderr, format, args...)
	os.Exit(1)
}

func Loop() { // want Loop:"loopsForever"
	for {
		work()
	}
}

func LoopIgnoringContext(ctx context.Context) { // want LoopIgnoringContext:"loopsForever\\(ignoresContext\\)"
	for range time.Tick(time.Second) {
		work()
	}
}

func Poll(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		default:
			work()
		}
	}
}

func Consume(ch <-chan int) { // want Consume:`chanParams\(recv\|range\)`
	for range ch {
		work()
	}
}

func Produce(out chan<- int, n int) { // want Produce:`chanParams\(send\|close\|blockingSend; -\)`
	defer close(out)
	for i := 0; i < n; i++ {
		out <- i
	}
}

var registry []chan int

func Register(ch chan int) { // want Register:`chanParams\(escapes\)`
	registry = append(registry, ch)
}
