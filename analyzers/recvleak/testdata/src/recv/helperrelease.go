package recv

import "errors"

var errSetup = errors.New("setup failed")

func setup(bool) error { return nil }

// The goroutine waits for a stop that a helper goroutine sends once the
// setup has succeeded; the error path returns before starting the helper.
func stopAfterSetup(ok bool) error {
	stop := make(chan struct{})
	go func() {
		<-stop // want `goroutine blocks for ever receiving from stop: stopAfterSetup can return without sending to or closing stop`
	}()
	if err := setup(ok); err != nil {
		return err
	}
	go func() { stop <- struct{}{} }()
	return nil
}

// Twin: the error path starts the helper too.
func stopOnEveryPath(ok bool) error {
	stop := make(chan struct{})
	go func() {
		<-stop
	}()
	if err := setup(ok); err != nil {
		go func() { close(stop) }()
		return errSetup
	}
	go func() { stop <- struct{}{} }()
	return nil
}
