// Package seeds is the goroutine-management tutorial the project started
// from: its Worker, context, fan-out and fan-in code must pass clean, and
// its three LEAK examples must be flagged.
package seeds

import (
	"context"
	"fmt"
	"sync"
)

type Message struct{ ID int }

func process(Message) {}
func doWork()         {}

// Stop channel: close a channel to broadcast "stop".
type Worker struct {
	inputCh chan Message
	stopCh  chan struct{}
}

func (w *Worker) Run() {
	for {
		select {
		case msg := <-w.inputCh:
			process(msg)
		case <-w.stopCh:
			fmt.Println("shutting down")
			return
		}
	}
}

func (w *Worker) Stop() {
	close(w.stopCh)
}

// context.Context: the production stop mechanism.
func (w *Worker) RunContext(ctx context.Context) {
	for {
		select {
		case msg := <-w.inputCh:
			process(msg)
		case <-ctx.Done():
			fmt.Println("reason:", ctx.Err())
			return
		}
	}
}

func StartAndCancel(w *Worker) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.RunContext(ctx)
	go w.Run()
	cancel()
}

// Fan-out: N goroutines read from the same channel.
func FanOut(messages []Message) {
	workCh := make(chan Message, 1000)
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(workerID int) {
			defer wg.Done()
			for msg := range workCh {
				process(msg)
			}
		}(i)
	}
	for _, msg := range messages {
		workCh <- msg
	}
	close(workCh)
	wg.Wait()
}

// Fan-in: merge N input streams into one.
func fanIn(ctx context.Context, sources ...<-chan Message) <-chan Message {
	merged := make(chan Message, 100)
	var wg sync.WaitGroup
	for _, src := range sources {
		wg.Add(1)
		go func(ch <-chan Message) {
			defer wg.Done()
			for {
				select {
				case msg, ok := <-ch:
					if !ok {
						return
					}
					merged <- msg
				case <-ctx.Done():
					return
				}
			}
		}(src)
	}
	go func() {
		wg.Wait()
		close(merged)
	}()
	return merged
}

// The three leak patterns of the tutorial.
func Leaks() {
	// LEAK 1: blocked receive with no exit path
	ch := make(chan Message)
	go func() {
		msg := <-ch // want `goroutine blocks for ever receiving from ch: nothing sends to or closes ch`
		process(msg)
	}()

	// LEAK 2: blocked send with no reader
	ch2 := make(chan Message)
	go func() {
		ch2 <- Message{} // want `goroutine blocks for ever sending on unbuffered channel ch2: nothing receives from ch2`
	}()

	// LEAK 3: infinite loop with no exit condition
	go func() {
		for { // want `goroutine never finishes: this for loop has no condition and nothing in it returns, breaks out or calls panic`
			doWork()
		}
	}()
}
