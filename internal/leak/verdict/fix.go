package verdict

import (
	"golang.org/x/tools/go/analysis"
)

// A Fix is one suggested fix a verdict carries: its edits, in code, and
// what its message says. Package fix builds them; Message words them.

// FixKind names what a fix does, for Message to word.
type FixKind int

const (
	FixBuffer         FixKind = iota // give the channel a buffer for every send
	FixSendSelect                    // stop sending once a context is cancelled
	FixDeferClose                    // close the channel on every return
	FixLoopContext                   // return from a loop once its context is cancelled
	FixDeferRelease                  // call the release method when the function returns
	FixShutdownSelect                // stop sending once the receiver's stop channel is closed
	FixEnlargeBuffer                 // a buffer for every send made before a receiver can exist
)

// A fix is one suggested fix: the edits, in code, and what Message needs
// to word it.
type Fix struct {
	Kind    FixKind
	Subject string // the channel, context or object, as the code names it
	Detail  string // the buffer's size, the release method
	Edits   []analysis.TextEdit
}

// Suggested is the fix as the analysis framework takes it.
func (f *Fix) Suggested() analysis.SuggestedFix {
	return analysis.SuggestedFix{Message: f.Message(), TextEdits: f.Edits}
}

// Message words the fix.
func (f *Fix) Message() string {
	switch f.Kind {
	case FixBuffer:
		return "give " + f.Subject + " a buffer for every send: make(..., " + f.Detail + ")"
	case FixSendSelect:
		return "stop sending when " + f.Subject + " is cancelled"
	case FixDeferClose:
		return "close " + f.Subject + " on every return: defer close(" + f.Subject + ")"
	case FixLoopContext:
		return "return when " + f.Subject + " is cancelled"
	case FixDeferRelease:
		return "defer " + f.Subject + "." + f.Detail + "()"
	case FixShutdownSelect:
		return "stop sending once " + f.Subject + " is closed"
	case FixEnlargeBuffer:
		return "give " + f.Subject + " a buffer for every send made before it has a receiver: make(..., " + f.Detail + ")"
	}
	return "fix the leak"
}
