// Package require is a stand-in for testify's: its functions call
// t.FailNow when they fail.
package require

type TestingT interface {
	Errorf(format string, args ...any)
	FailNow()
}

func NoError(t TestingT, err error, msgAndArgs ...any) {
	if err != nil {
		t.FailNow()
	}
}
