package verdict

import (
	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
)

// String words the blocking operation: "receiving from ch", "in consume,
// ranging over ch", "sending on unbuffered channel out".
func (op BlockedOp) String() string {
	var s string
	switch {
	case op.Kind == flow.OpRange:
		s = "ranging over " + op.Channel
	case op.Kind == flow.OpRecv:
		s = "receiving from " + op.Channel
	case op.Unbuffered:
		s = "sending on unbuffered channel " + op.Channel
	default:
		s = "sending on " + op.Channel
	}
	if op.Via != "" {
		s = "in " + op.Via + ", " + s
	}
	return s
}
