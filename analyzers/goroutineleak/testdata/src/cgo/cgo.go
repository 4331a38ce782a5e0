// Package cgo checks that cgo packages are analysed like any other.
package cgo

// int twice(int x) { return 2 * x; }
import "C"

func Twice(x int) int {
	ch := make(chan int)
	go func() {
		ch <- int(C.twice(C.int(x))) // want `goroutine blocks for ever sending on unbuffered channel ch: nothing receives from ch`
	}()
	return x * 2
}

func TwiceAsync(x int) <-chan int {
	ch := make(chan int, 1)
	go func() { ch <- int(C.twice(C.int(x))) }()
	return ch
}
