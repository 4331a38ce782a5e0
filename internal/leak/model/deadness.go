package model

import (
	"fmt"
	"go/ast"

	"golang.org/x/tools/go/analysis"

	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
)

// Deadness says why a channel can never be ready.
type Deadness struct {
	Kind    deadKind
	Channel string   // the channel, or for a context its expression
	Detail  string   // the context's constructor (Background, TODO), or the field's package
	Made    ast.Node // where the channel's owner was made, when that says why (time.AfterFunc)
}

type deadKind int

const (
	deadNil              deadKind = iota // the channel is nil
	deadNeverDone                        // ctx.Done() of a context that is never cancelled
	deadField                            // a field nothing in the package sends to or closes
	deadNoReceiver                       // a local channel nothing receives from (a send case)
	deadNoSender                         // a local channel nothing sends to or closes
	deadFresh                            // made in the operation itself: nothing else can reach it
	deadFieldNoReceiver                  // an unbuffered field nothing in the package receives from
	DeadFieldFills                       // a buffered field nothing in the package receives from, sent on in a loop
	deadAfterFunc                        // the C of a timer made by time.AfterFunc, which is nil
	deadRemade                           // a local given a new channel after its last send or close
	DeadFieldNeverClosed                 // a field ranged over that nothing in the package closes
)

// MadeHere relates where the channel's owner was made, when that is part
// of why the channel is never ready.
func (d Deadness) MadeHere() (analysis.RelatedInformation, bool) {
	switch {
	case d.Made == nil:
		return analysis.RelatedInformation{}, false
	case d.Kind == deadAfterFunc:
		return syntax.Related(d.Made, "the timer is made here"), true
	default:
		return syntax.Related(d.Made, "the new channel is made here"), true
	}
}

// String words why a channel can never be ready.
func (d Deadness) String() string {
	switch d.Kind {
	case deadNil:
		if d.Channel == "" {
			return "the channel is nil"
		}
		return d.Channel + " is nil"
	case deadNeverDone:
		return fmt.Sprintf("%s is context.%s(), which is never cancelled", d.Channel, d.Detail)
	case deadField:
		return fmt.Sprintf("nothing in package %s sends to or closes field %s", d.Detail, d.Channel)
	case deadNoReceiver:
		return "nothing receives from " + d.Channel
	case deadFieldNoReceiver:
		return fmt.Sprintf("nothing in package %s receives from field %s", d.Detail, d.Channel)
	case DeadFieldFills:
		return fmt.Sprintf("nothing in package %s receives from field %s, so once its buffer is full this send, made again and again, waits for ever", d.Detail, d.Channel)
	case deadAfterFunc:
		return fmt.Sprintf("the timer is made by time.AfterFunc, which calls a function instead of sending, so %s is nil", d.Channel)
	case deadRemade:
		return fmt.Sprintf("%s is given a new channel after its last close or send, and nothing closes or sends on the new one", d.Channel)
	case DeadFieldNeverClosed:
		return fmt.Sprintf("nothing in package %s closes %s, so the range over it never ends", d.Detail, d.Channel)
	case deadFresh:
		return "the channel is made here, so nothing else can reach it"
	default:
		return "nothing sends to or closes " + d.Channel
	}
}
