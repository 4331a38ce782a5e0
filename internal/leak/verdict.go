package leak

import (
	"go/ast"
	"go/token"
	"go/types"
)

// Stage 6's input: what the rules decided. A verdict names the goroutine,
// the operation that blocks and, in its reason, why nothing will unblock
// it. It holds no words: report.go is the one place that words verdicts.

// A verdict is one goroutine that can never finish.
type verdict struct {
	pattern Pattern
	at      ast.Node // the blocking operation, the loop, or the call reported
	spawn   *spawn   // the goroutine, when this package starts it
	why     reason
	// through is the call in the goroutine's own code that reaches the
	// operation, when the operation is in a callee.
	through *ast.CallExpr
	// alsoWaits are the parent's receives that wait for ever too: on a
	// channel that only the goroutine would send to or close, later.
	alsoWaits []ast.Node
	fixes     []*fix // the safe fixes, first the one -fix applies (fixes.go)
}

// A reason says why nothing will unblock the goroutine. Each rule's
// reasons are their own types; cause names the type for tests.
type reason interface{ cause() string }

// blockedOp is the channel operation that blocks. The reasons about one
// embed it, so that the report finds it (onChannel) whatever the cause.
type blockedOp struct {
	kind       opKind
	channel    string     // the channel, as the code names it
	via        string     // the callee that does the operation, or ""
	viaAt      []ast.Node // where the callee does it, when it is in this package
	unbuffered bool       // a send on a channel made without a buffer
}

// Reasons of the rules on channels (rule_channels.go, rule_send.go).
type (
	// The channel is nil.
	nilChannel struct{ blockedOp }
	// Nothing sends to or closes the channel; or, for a send, nothing
	// receives from it.
	noPartner struct{ blockedOp }
	// Nothing closes the channel a range waits on.
	neverClosed struct{ blockedOp }
	// The function that started the goroutine can return without the
	// operation that would release it.
	abandoned struct {
		blockedOp
		owner      ast.Node // the function that starts and abandons the goroutine
		path       *escapePath
		needsClose bool // only a close releases it (a range)
	}
	// Goroutines started in a loop send more values than are received.
	fewReceives struct {
		blockedOp
		owner    ast.Node
		receive  ast.Node // the only receive
		received int
	}
	// One goroutine sends more values than its parent receives.
	extraSends struct {
		blockedOp
		owner          ast.Node
		receive        ast.Node // the first receive
		sent, received int
		together       bool // sent by several goroutines together
	}
	// The function waits on a channel that only a goroutine it starts
	// releases, and that goroutine can return without releasing it.
	skippedRelease struct {
		blockedOp
		waiter     ast.Node // the function that waits: the goroutine's parent
		path       *escapePath
		needsClose bool
	}
	// A caller stops ranging over the channel a generator returns; the
	// generator's goroutine blocks on its next send.
	stopsGenerator struct {
		generator *types.Func
		owner     ast.Node      // the function that ranges
		exit      ast.Node      // where it stops
		call      *ast.CallExpr // the generator's call, when it is not the range's own expression
		sends     []ast.Node    // the goroutine's sends, when the generator is in this package
	}
	// The parent waits for the goroutine (wg.Wait) before it receives what
	// the goroutine sends, and the goroutine's Done runs only after its
	// send: neither proceeds.
	waitsFirst struct {
		blockedOp
		owner   ast.Node
		wait    *ast.CallExpr // the wg.Wait() call
		receive ast.Node      // the first receive, after it
	}
	// The consumer can stop ranging over the channel, or leave the loop
	// that receives from it, while goroutines still send.
	stopsRanging struct {
		blockedOp
		owner   ast.Node
		exit    ast.Node // where it stops
		loop    bool     // it receives in a loop, not by ranging over the channel
		started bool     // the goroutine is one of many started in a loop
	}
)

// Reasons of the one-sided shutdown rule (rule_shutdown.go).
type (
	// An exported method sends on a field whose only receiver is a
	// goroutine that returns once the type is shut down.
	afterShutdown struct {
		blockedOp
		method   string          // the exported method that sends; "" for a goroutine of the type
		receiver string          // the function that loops, receiving
		loop     *spawn          // the receiving goroutine, when known
		stopCase *ast.CommClause // the case on which it returns
		shutdown []string        // the methods that stop it
	}
)

// Reasons of the rules on goroutine bodies (rule_bodies.go).
type (
	// An operation on a channel that can never be ready: nil, ctx.Done()
	// of a context never cancelled, a field nothing sends to, a channel
	// made in the operation itself.
	deadChannel struct {
		blockedOp
		dead deadness
	}
	// An operation on an unbuffered field made holding a lock that every
	// partner operation is made holding too.
	lockedWait struct {
		blockedOp
		lock     heldLock   // the lock this goroutine holds
		field    string     // the channel field
		pkg      string     // its package
		partners []ast.Node // the partner operations, each made holding the lock
	}
	// wg.Wait() before a close, on a WaitGroup added to and never done.
	neverDone struct {
		wg     string        // the WaitGroup, as the code names it
		adds   []ast.Node    // its Add calls
		closes *ast.CallExpr // the close the Wait holds back
	}
	// A wait on a channel that only the goroutine's own deferred close
	// releases.
	ownClose struct {
		blockedOp
		close *ast.DeferStmt
	}
	// A wait made holding a lock that the one goroutine able to end it
	// takes first.
	lockOrder struct {
		blockedOp
		waiter  ast.Node // the function that waits
		lock    heldLock // the lock it holds
		partner *spawn   // the goroutine that alone can end the wait
		taken   heldLock // where that goroutine takes the lock
		ends    ast.Node // its operation that would end the wait
	}
	// c.Wait() on a sync.Cond that nothing signals.
	deadCond struct {
		cond string // as the code names it
		name string // the variable or field
	}
	// A send that finds the buffer full before anything else can have the
	// channel.
	overfilled struct {
		blockedOp
		capacity int
		// For the fix: the make, and the sends made before anything else
		// touches the channel's holder, in number and as statements.
		made    *ast.CallExpr
		holder  types.Object // the channel, or the struct whose field it is
		field   *types.Var   // the field, or nil
		sends   int
		counted map[*ast.SendStmt]bool
	}
	// x.Lock() after a method that can return leaving x's lock held.
	lockLeft struct {
		lock   heldLock      // the lock the goroutine takes
		op     string        // Lock or RLock
		method string        // the method that leaves it held
		call   *ast.CallExpr // the call of that method
		ret    ast.Node      // its return that leaves the lock held
	}
	// A select with no cases.
	emptySelect struct{}
	// A select none of whose cases can ever proceed.
	deadSelect struct{ cases []deadness }
	// A loop with no way out, run by the goroutine itself or through a
	// call.
	endlessLoop struct {
		loop ast.Stmt
		via  *ast.CallExpr // the call that runs the loop, when it is in a callee
		ctx  *types.Var    // a context in scope that the loop never checks, or nil
	}
	// A goroutine runs a function of another package that loops for ever.
	foreignLoop struct {
		callee         *types.Func
		ignoresContext bool
	}
)

// Reasons of the lifecycle-contract rule (contracts.go).
type (
	// A starter's result, which only a release method lets go, is
	// discarded.
	contractDiscarded struct {
		starter *types.Func
		methods []string
		wait    span // where its goroutine waits, when known
	}
	// An object whose goroutine only a release method lets go is dropped
	// without a call of one.
	contractDropped struct {
		starter *types.Func
		methods []string
		wait    span // where its goroutine waits, when known
		object  *types.Var
		owner   ast.Node // the function that drops it
		method  bool     // the starter is a method of the object (o.Start()), not its constructor
	}
)

// A directive without a reason (directive.go).
type directiveWithoutReason struct{}

func (nilChannel) cause() string             { return "nil channel" }
func (noPartner) cause() string              { return "no partner" }
func (neverClosed) cause() string            { return "never closed" }
func (abandoned) cause() string              { return "abandoned" }
func (fewReceives) cause() string            { return "few receives" }
func (extraSends) cause() string             { return "extra sends" }
func (stopsRanging) cause() string           { return "stops ranging" }
func (skippedRelease) cause() string         { return "skipped release" }
func (stopsGenerator) cause() string         { return "stops generator" }
func (waitsFirst) cause() string             { return "waits first" }
func (deadChannel) cause() string            { return "dead channel" }
func (lockedWait) cause() string             { return "locked wait" }
func (afterShutdown) cause() string          { return "after shutdown" }
func (neverDone) cause() string              { return "never done" }
func (ownClose) cause() string               { return "own close" }
func (lockOrder) cause() string              { return "lock order" }
func (deadCond) cause() string               { return "dead cond" }
func (overfilled) cause() string             { return "overfilled" }
func (lockLeft) cause() string               { return "lock left" }
func (emptySelect) cause() string            { return "empty select" }
func (deadSelect) cause() string             { return "dead select" }
func (endlessLoop) cause() string            { return "endless loop" }
func (foreignLoop) cause() string            { return "foreign loop" }
func (contractDiscarded) cause() string      { return "contract discarded" }
func (contractDropped) cause() string        { return "contract dropped" }
func (directiveWithoutReason) cause() string { return "directive without reason" }

// A span is a range of source to relate; its zero value is none.
type span struct{ pos, end token.Pos }

// onChannel is a reason about a blocking channel operation.
type onChannel interface{ operation() blockedOp }

func (op blockedOp) operation() blockedOp { return op }

// deadness says why a channel can never be ready.
type deadness struct {
	kind    deadKind
	channel string // the channel, or for a context its expression
	detail  string // the context's constructor (Background, TODO), or the field's package
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
	deadFieldFills                      // a buffered field nothing in the package receives from, sent on in a loop
)
