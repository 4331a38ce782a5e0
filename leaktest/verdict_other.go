//go:build !linux

package leaktest

// A verdictHold is Linux's only: elsewhere the testing package's PASS
// line is printed before Main's report, which says that it overrides it.
type verdictHold struct{}

func holdVerdict() *verdictHold { return nil }

func (h *verdictHold) finish(passOverridden bool) {}
