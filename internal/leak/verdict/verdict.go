package verdict

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/model"
	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
)

// A verdict is one goroutine that can never finish.
type Verdict struct {
	Pattern pattern.Pattern
	At      ast.Node    // the blocking operation, the loop, or the call reported
	Spawn   *flow.Spawn // the goroutine, when this package starts it
	Why     Reason
	// Through is the call in the goroutine's own code that reaches the
	// operation, when the operation is in a callee.
	Through *ast.CallExpr
	// AlsoWaits are the parent's receives that wait for ever too: on a
	// channel that only the goroutine would send to or close, later.
	AlsoWaits []ast.Node
	Fixes     []*Fix // the safe fixes, first the one -fix applies (package fix)
}

// A Reason says why nothing will unblock the goroutine. Each rule's
// reasons are their own types; Cause names the type for tests, and Word
// (words.go) writes the diagnostic's message and the related positions
// that only this reason has. pkg is the package analysed.
type Reason interface {
	Cause() string
	Word(d *analysis.Diagnostic, pkg *types.Package)
}

// BlockedOp is the channel operation that blocks. The reasons about one
// embed it, so that the report finds it (onChannel) whatever the cause.
type BlockedOp struct {
	Kind       flow.OpKind
	Channel    string     // the channel, as the code names it
	Via        string     // the callee that does the operation, or ""
	ViaAt      []ast.Node // where the callee does it, when it is in this package
	Unbuffered bool       // a send on a channel made without a buffer
}

// Reasons of the rules on channels (package rule: rule_channels.go, rule_send.go).
type (
	// The channel is nil.
	NilChannel struct{ BlockedOp }
	// Nothing sends to or closes the channel; or, for a send, nothing
	// receives from it.
	NoPartner struct{ BlockedOp }
	// Nothing closes the channel a range waits on.
	NeverClosed struct{ BlockedOp }
	// The function that started the goroutine can return without the
	// operation that would release it.
	Abandoned struct {
		BlockedOp
		Owner      ast.Node // the function that starts and abandons the goroutine
		Path       *model.EscapePath
		NeedsClose bool // only a close releases it (a range)
	}
	// Goroutines started in a loop send more values than are received.
	FewReceives struct {
		BlockedOp
		Owner    ast.Node
		Receive  ast.Node // the only receive
		Received int
	}
	// One goroutine sends more values than its parent receives.
	ExtraSends struct {
		BlockedOp
		Owner          ast.Node
		Receive        ast.Node // the first receive
		Sent, Received int
		Together       bool       // sent by several goroutines together
		Others         []ast.Node // with Together: the first send of each other goroutine
		Paced          ast.Stmt   // the loop, paced by a clock, that sends on every round
	}
	// The function waits on a channel that only a goroutine it starts
	// releases, and that goroutine can return without releasing it.
	SkippedRelease struct {
		BlockedOp
		Waiter     ast.Node // the function that waits: the goroutine's parent
		Path       *model.EscapePath
		NeedsClose bool
	}
	// A caller stops ranging over the channel a generator returns, or
	// gives up waiting for it in a select (GivesUp); the generator's
	// goroutine blocks on its next send.
	StopsGenerator struct {
		Generator *types.Func
		Owner     ast.Node      // the function that ranges or waits
		Exit      ast.Node      // where it stops: a way out of the range, or the select case that gives up
		GivesUp   bool          // it waits in a select, not a range
		Call      *ast.CallExpr // the generator's call, when it is not the range's own expression
		Sends     []ast.Node    // the goroutine's sends, when the generator is in this package
		// With a generator whose sends also wait on the context it is
		// given: that argument, and whose context it is ("Background",
		// "TODO", "its caller's"): one the ranging function does not cancel.
		ContextArg ast.Expr
		Context    string
	}
	// The parent waits for the goroutine (wg.Wait) before it receives what
	// the goroutine sends, and the goroutine's Done runs only after its
	// send: neither proceeds.
	WaitsFirst struct {
		BlockedOp
		Owner   ast.Node
		Wait    *ast.CallExpr // the wg.Wait() call
		Receive ast.Node      // the first receive, after it
	}
	// The consumer can stop ranging over the channel, or leave the loop
	// that receives from it, while goroutines still send.
	StopsRanging struct {
		BlockedOp
		Owner   ast.Node
		Exit    ast.Node // where it stops
		Loop    bool     // it receives in a loop, not by ranging over the channel
		Started bool     // the goroutine is one of many started in a loop
	}
)

// Reasons of the rule on hooks (hooks.go).
type (
	// A literal installed in a hook that a goroutine's event loop calls
	// sends on an unbuffered channel of the function that installed it,
	// which receives from it a fixed number of times: the goroutine runs
	// the hook once per event, for as long as it runs.
	HookSends struct {
		BlockedOp
		Hook      string        // the hook field
		Runner    *flow.Spawn   // the goroutine whose loop calls the hook
		Installed ast.Node      // the assignment that installs the literal
		Call      *ast.CallExpr // the hook's call in the loop
		Owner     ast.Node      // the function that installs it and receives
		Receive   ast.Node      // its last receive, or nil
		Received  int           // how many times it receives at most
	}
	// A callback handed to another package sends on a channel of the
	// function that hands it over, which receives only in selects that
	// can give up for good.
	HandedCallback struct {
		BlockedOp
		Callee  string          // the other package's function, as the call names it
		Handed  *ast.CallExpr   // the call that hands the callback over
		Owner   ast.Node        // the function that hands it over and receives
		Receive ast.Node        // its first receive
		GiveUp  *ast.CommClause // the case on which it gives up, beside that receive
	}
)

// Reasons of the one-sided shutdown rule (rule_shutdown.go).
type (
	// An exported method sends on a field whose only receiver is a
	// goroutine that returns once the type is shut down.
	AfterShutdown struct {
		BlockedOp
		Method   string          // the exported method that sends; "" for a goroutine of the type
		Receiver string          // the function that loops, receiving
		Loop     *flow.Spawn     // the receiving goroutine, when known
		StopCase *ast.CommClause // the case on which it returns
		Shutdown []string        // the methods that stop it
	}
	// A goroutine sends on a field whose every receive is a select case
	// beside a case that gives up for good (a context kept in a struct
	// is done, a stop field is closed), and the send has no such case.
	ReaderGivesUp struct {
		BlockedOp
		Field    string          // the field
		Receiver string          // the function that holds the first receive
		Receive  ast.Node        // that receive
		GiveUp   *ast.CommClause // the case on which that function gives up
		// With a buffer: the sends of the goroutines that one call of
		// Starter starts, and the buffer's size.
		Sent, Capacity int
		Starter        string
	}
)

// Reasons of the rules on goroutine bodies (rule_bodies.go, cancelrelay.go).
type (
	// The goroutine relays the end of other contexts to a context its
	// starter derives, by calling its cancel; the starter hands that
	// cancel on too, so the derived context can end first, and the
	// goroutine, with no case on its Done(), waits on contexts that
	// outlive the starter's call.
	RelaysCancel struct {
		Starter ast.Node
		Derived string   // the derived context, as the code names it
		Cancel  string   // its cancel function
		Waited  []string // the contexts the goroutine waits on
		Outlive string   // whose they are (see syntax.OutlivesCall)
		Handoff ast.Node // where the starter hands the cancel on
	}
	// An operation on a channel that can never be ready: nil, ctx.Done()
	// of a context never cancelled, a field nothing sends to, a channel
	// made in the operation itself.
	DeadChannel struct {
		BlockedOp
		Dead model.Deadness
	}
	// An operation on an unbuffered field made holding a lock that every
	// partner operation is made holding too.
	LockedWait struct {
		BlockedOp
		Lock     model.HeldLock // the lock this goroutine holds
		Field    string         // the channel field
		Pkg      string         // its package
		Partners []ast.Node     // the partner operations, each made holding the lock
	}
	// wg.Wait() before a close, on a WaitGroup added to and never done.
	UndoneWaitGroup struct {
		Wg     string        // the WaitGroup, as the code names it
		Adds   []ast.Node    // its Add calls
		Closes *ast.CallExpr // the close the Wait holds back
	}
	// A wait on a channel that only the goroutine's own deferred close
	// releases.
	OwnClose struct {
		BlockedOp
		Close *ast.DeferStmt
	}
	// A wait made holding a lock that the one goroutine able to end it
	// takes first.
	LockOrder struct {
		BlockedOp
		Waiter  ast.Node       // the function that waits
		Lock    model.HeldLock // the lock it holds
		Partner *flow.Spawn    // the goroutine that alone can end the wait
		Taken   model.HeldLock // where that goroutine takes the lock
		Ends    ast.Node       // its operation that would end the wait
	}
	// c.Wait() on a sync.Cond that nothing signals.
	DeadCond struct {
		Cond string // as the code names it
		Name string // the variable or field
	}
	// A send that finds the buffer full before anything else can have the
	// channel.
	Overfilled struct {
		BlockedOp
		Capacity int
		// For the fix: the make, and the sends made before anything else
		// touches the channel's holder, in number and as statements.
		Made    *ast.CallExpr
		Holder  types.Object // the channel, or the struct whose field it is
		Field   *types.Var   // the field, or nil
		Sends   int
		Counted map[*ast.SendStmt]bool
	}
	// x.Lock() after a method that can return leaving x's lock held.
	LockLeft struct {
		Lock   model.HeldLock // the lock the goroutine takes
		Op     string         // Lock or RLock
		Method string         // the method that leaves it held
		Call   *ast.CallExpr  // the call of that method
		Ret    ast.Node       // its return that leaves the lock held
	}
	// A select with no cases.
	EmptySelect struct{}
	// A select none of whose cases can ever proceed.
	DeadSelect struct{ Cases []model.Deadness }
	// A loop with no way out, run by the goroutine itself or through a
	// call.
	EndlessLoop struct {
		Loop ast.Stmt
		Via  *ast.CallExpr // the call that runs the loop, when it is in a callee
		Ctx  *types.Var    // a context in scope that the loop never checks, or nil
	}
	// A loop whose every way out is in a select case that can never
	// proceed, while its other cases go on (rule_deadexits.go).
	DeadExits struct {
		Loop  *ast.ForStmt
		Exits []*ast.CommClause // the cases that hold the ways out
		Dead  []model.Deadness  // why each can never proceed
	}
	// A goroutine runs a function of another package that loops for ever.
	ForeignLoop struct {
		Callee         *types.Func
		IgnoresContext bool
	}
)

// Reasons of the lifecycle-contract rule (contracts.go).
type (
	// A starter's result, which only a release method lets go, is
	// discarded.
	ContractDiscarded struct {
		Starter *types.Func
		Methods []string
		Wait    syntax.Span // where its goroutine waits, when known
		Loop    syntax.Span // the loop it runs until then, when it waits in one
		SendsOn string      // the field it waits to send on, for a read contract
	}
	// An object whose goroutine only a release method lets go is dropped
	// without a call of one.
	ContractDropped struct {
		Starter *types.Func
		Methods []string
		Wait    syntax.Span // where its goroutine waits, when known
		Loop    syntax.Span // the loop it runs until then, when it waits in one
		Object  *types.Var
		Owner   ast.Node // the function that drops it
		Method  bool     // the starter is a method of the object (o.Start()), not its constructor
		SendsOn string   // the field it waits to send on, for a read contract
	}
	// A function takes an object out of a field, clears or replaces the
	// field, and drops the object without a release.
	ContractTaken struct {
		Starter *types.Func
		Methods []string
		Wait    syntax.Span
		Loop    syntax.Span
		Object  *types.Var
		Field   *types.Var
		Take    ast.Node // v := o.f
		Owner   ast.Node // the function that takes and drops it
		SendsOn string   // the field it waits to send on, for a read contract
	}
	// A function that starts an object's goroutine releases the object
	// on one error return and not on another.
	ErrorPathSkipsRelease struct {
		Starter *types.Func // the method run as the goroutine
		Object  string      // the object, as the go statement names it
		Methods []string
		Wait    syntax.Span
		Loop    syntax.Span
		Owner   *ast.FuncDecl
		Release ast.Node // the release on another error return
	}
	// A release method returns on an error before it releases the
	// goroutine: a caller calls it once, and the goroutine stays.
	ReleaseReturnsEarly struct {
		Starter *types.Func
		Methods []string
		Wait    syntax.Span
		Loop    syntax.Span
		Method  *ast.FuncDecl // the release method
		Release ast.Stmt      // its release, which the return skips
	}
)

// A directive without a reason (directive.go).
type DirectiveWithoutReason struct{}

func (NilChannel) Cause() string { return "nil channel" }

func (NoPartner) Cause() string { return "no partner" }

func (NeverClosed) Cause() string { return "never closed" }

func (Abandoned) Cause() string { return "abandoned" }

func (FewReceives) Cause() string { return "few receives" }

func (ExtraSends) Cause() string { return "extra sends" }

func (StopsRanging) Cause() string { return "stops ranging" }

func (SkippedRelease) Cause() string { return "skipped release" }

func (StopsGenerator) Cause() string { return "stops generator" }

func (WaitsFirst) Cause() string { return "waits first" }

func (DeadChannel) Cause() string { return "dead channel" }

func (LockedWait) Cause() string { return "locked wait" }

func (AfterShutdown) Cause() string { return "after shutdown" }

func (HookSends) Cause() string { return "hook sends" }

func (HandedCallback) Cause() string { return "handed callback" }

func (ReaderGivesUp) Cause() string { return "reader gives up" }

func (UndoneWaitGroup) Cause() string { return "never done" }

func (OwnClose) Cause() string { return "own close" }

func (LockOrder) Cause() string { return "lock order" }

func (DeadCond) Cause() string { return "dead cond" }

func (Overfilled) Cause() string { return "overfilled" }

func (LockLeft) Cause() string { return "lock left" }

func (EmptySelect) Cause() string { return "empty select" }

func (DeadSelect) Cause() string { return "dead select" }

func (EndlessLoop) Cause() string { return "endless loop" }

func (DeadExits) Cause() string   { return "dead exits" }
func (ForeignLoop) Cause() string { return "foreign loop" }

func (ContractDiscarded) Cause() string { return "contract discarded" }

func (ContractDropped) Cause() string { return "contract dropped" }

func (ErrorPathSkipsRelease) Cause() string { return "error path skips release" }

func (ContractTaken) Cause() string { return "contract taken" }

func (ReleaseReturnsEarly) Cause() string { return "release returns early" }

func (DirectiveWithoutReason) Cause() string { return "directive without reason" }

func (RelaysCancel) Cause() string { return "relays cancel" }

// OnChannel is a reason about a blocking channel operation.
type OnChannel interface{ Operation() BlockedOp }

func (op BlockedOp) Operation() BlockedOp { return op }
