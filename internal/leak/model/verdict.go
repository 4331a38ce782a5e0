package model

// deadness says why a channel can never be ready.
type Deadness struct {
	Kind    deadKind
	Channel string // the channel, or for a context its expression
	Detail  string // the context's constructor (Background, TODO), or the field's package
}

type deadKind int

const (
	deadNil             deadKind = iota // the channel is nil
	deadNeverDone                       // ctx.Done() of a context that is never cancelled
	deadField                           // a field nothing in the package sends to or closes
	deadNoReceiver                      // a local channel nothing receives from (a send case)
	deadNoSender                        // a local channel nothing sends to or closes
	deadFresh                           // made in the operation itself: nothing else can reach it
	deadFieldNoReceiver                 // an unbuffered field nothing in the package receives from
	DeadFieldFills                      // a buffered field nothing in the package receives from, sent on in a loop
)
