package verdict

import (
	"golang.org/x/tools/go/analysis"
)

// Stage 5b, fixes: for each verdict, the material of the suggested fixes
// that are certainly safe. A fix is offered only when it removes the leak
// and changes nothing else the program can observe; when that cannot be
// shown there is none (a wrong fix is worse than no fix). The material is
// code to insert or replace; report.go words each fix's message.
//
//	verdict                       fix
//	a send no receiver takes      a buffer for every send (make(chan T, n)),
//	                              or a select with ctx.Done() when the
//	                              abandoning path cancels ctx
//	a wait on a channel that      defer close(ch) in the function that holds
//	only a close releases         every close, when its early returns skip it
//	an endless loop, ctx unused   return when ctx is cancelled: a select case
//	                              on each blocking operation of the loop, or
//	                              a check at its top
//	an object dropped without     defer x.Stop() after the call that makes it
//	its release method
//	a send stranded by shutdown   a select case on the stop channel (closed,
//	                              never sent on), the channel the stop case
//	                              closes, or ctx.Done() the receiver returns
//	                              on; zero values where no caller reads them
//	a buffer filled before any    a buffer for every send made before
//	receiver can exist            anything else can have the channel

// FixKind names what a fix does, for report.go to word.
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

// A fix is one suggested fix: the edits, in code, and what report.go needs
// to word it.
type Fix struct {
	Kind    FixKind
	Subject string // the channel, context or object, as the code names it
	Detail  string // the buffer's size, the release method
	Edits   []analysis.TextEdit
}

// Suggested writes the fix for report.go, with its message.
func (f *Fix) Suggested(message string) analysis.SuggestedFix {
	return analysis.SuggestedFix{Message: message, TextEdits: f.Edits}
}

// FixMessage words a fix.
func FixMessage(f *Fix) string {
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
