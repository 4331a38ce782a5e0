// Package generic checks that type parameters do not confuse the analysis.
package generic

type Queue[T any] struct {
	items chan T
	quit  chan struct{}
}

func NewQueue[T any]() *Queue[T] {
	q := &Queue[T]{items: make(chan T), quit: make(chan struct{})}
	go q.run()
	return q
}

func (q *Queue[T]) run() {
	for {
		select {
		case <-q.items:
		case <-q.quit:
			return
		}
	}
}

func (q *Queue[T]) Close() { close(q.quit) }

func UseQueue() {
	q := NewQueue[int]() // want `NewQueue starts a goroutine that runs until q.Close is called`
	_ = q.items
}

func First[T any](produce func() T) T {
	ch := make(chan T)
	for range 3 {
		go func() {
			ch <- produce() // want `goroutines started in a loop block for ever sending on unbuffered channel ch: First receives from it only once`
		}()
	}
	return <-ch
}

func All[T any](produce func() T) []T {
	ch := make(chan T, 3)
	for range 3 {
		go func() { ch <- produce() }()
	}
	return []T{<-ch, <-ch, <-ch}
}

func Drain[C ~chan T, T any](c C) {
	go func() {
		for range c {
		}
	}()
}

// Fields of generic types are one field across instances.
type Pool[T any] struct{ out chan T }

func (p *Pool[T]) emit(v T) {
	p.out <- v // want `goroutine blocks for ever sending on p.out: nothing in package generic receives from field out`
}

func StartPool() {
	p := &Pool[int]{out: make(chan int)}
	go p.emit(1)
}

// Twin: an instance elsewhere receives from the field.
type Feed[T any] struct{ out chan T }

func (f *Feed[T]) emit(v T) { f.out <- v }

func (f *Feed[T]) Next() T { return <-f.out }

func StartFeed() string {
	f := &Feed[string]{out: make(chan string)}
	go f.emit("x")
	return f.Next()
}
