// Package fanout holds goroutines started in a loop by a goroutine that
// the receiving function starts once: the fan-out waits for its workers,
// and the function takes what they send. Each must-flag case is followed
// by correct twins.
package fanout

import "sync"

type shard struct{ id int }

func check(s shard) error { return nil }

func visit(s shard, errs chan<- error) {
	if err := check(s); err != nil {
		errs <- err
		return
	}
}

// firstError returns the first error of any shard: the other workers'
// errors have nobody to take them.
func firstError(shards []shard) error {
	errs := make(chan error)
	go func() {
		defer close(errs)
		var wg sync.WaitGroup
		for _, s := range shards {
			wg.Add(1)
			go func(s shard) {
				defer wg.Done()
				visit(s, errs) // want `goroutines started in a loop block for ever in visit, sending on unbuffered channel errs: firstError receives from it only once`
			}(s)
		}
		wg.Wait()
	}()
	return <-errs
}

// Twin: the function takes every error until the fan-out closes the
// channel.
func allErrors(shards []shard) error {
	errs := make(chan error)
	go func() {
		defer close(errs)
		var wg sync.WaitGroup
		for _, s := range shards {
			wg.Add(1)
			go func(s shard) {
				defer wg.Done()
				visit(s, errs)
			}(s)
		}
		wg.Wait()
	}()
	var first error
	for err := range errs {
		if first == nil {
			first = err
		}
	}
	return first
}

// Twin: the fan-out itself is started in a loop, one per batch; what
// each batch's workers send is beyond a count of this function's
// receives.
func perBatch(batches [][]shard) {
	errs := make(chan error)
	for _, b := range batches {
		go func() {
			for _, s := range b {
				go visit(s, errs)
			}
		}()
	}
	for err := range errs {
		_ = err
	}
}
