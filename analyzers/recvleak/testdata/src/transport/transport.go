// Package transport is a dependency whose Shutdown logs its failures and
// never returns one.
package transport

import "log"

type Transport struct{ open bool }

func (t *Transport) close() error { return nil }

// Shutdown never fails: it logs what goes wrong.
func (t *Transport) Shutdown() error {
	if err := t.close(); err != nil {
		log.Printf("transport: %v", err)
	}
	t.open = false
	return nil
}

// Stop may fail.
func (t *Transport) Stop() error {
	if t.open {
		return t.close()
	}
	return nil
}
