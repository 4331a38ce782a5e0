package verdict

import (
	"fmt"
	"go/ast"
	"go/types"
	"strings"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/model"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"golang.org/x/tools/go/analysis"
)

// Each reason words itself: Word writes the diagnostic's message and the
// related positions particular to the reason. The report adds what every
// verdict has (where the goroutine starts, the call that reaches the
// operation, the parent's waits) before it asks for the words, and the
// compiler asks every new reason for its own.

const blocks = "goroutine blocks for ever "

func (why NilChannel) Word(d *analysis.Diagnostic, pkg *types.Package) {
	d.Message = fmt.Sprintf("%s%s: %s is a nil channel", blocks, why.BlockedOp, why.Channel)
}

func (why NoPartner) Word(d *analysis.Diagnostic, pkg *types.Package) {
	if why.Kind.Receives() {
		d.Message = fmt.Sprintf("%s%s: nothing sends to or closes %s", blocks, why.BlockedOp, why.Channel)
	} else {
		d.Message = fmt.Sprintf("%s%s: nothing receives from %s", blocks, why.BlockedOp, why.Channel)
	}
}

func (why NeverClosed) Word(d *analysis.Diagnostic, pkg *types.Package) {
	d.Message = fmt.Sprintf("%s%s: nothing closes %s, so the loop never ends", blocks, why.BlockedOp, why.Channel)
}

func (why Abandoned) Word(d *analysis.Diagnostic, pkg *types.Package) {
	missing := "receiving from " + why.Channel
	switch {
	case why.NeedsClose:
		missing = "closing " + why.Channel
	case why.Kind.Receives():
		missing = "sending to or closing " + why.Channel
	}
	route := ""
	if choice := why.Path.Choice; choice != nil {
		label := "the default case"
		if choice.Comm != nil {
			label = "the " + caseLabel(choice) + " case"
		}
		route = " through " + label
		d.Related = append(d.Related, analysis.RelatedInformation{Pos: choice.Pos(), End: choice.Colon + 1, Message: label + " is taken instead"})
	}
	owner := syntax.FuncName(why.Owner)
	if how := why.Path.TestEnds; how != "" {
		d.Message = fmt.Sprintf("%s%s: %s can stop%s when the test %s, without %s", blocks, why.BlockedOp, owner, route, how, missing)
		d.Related = append(d.Related, syntax.Related(why.Path.Exit, fmt.Sprintf("the test %s here, and %s stops without %s", how, owner, missing)))
		return
	}
	d.Message = fmt.Sprintf("%s%s: %s can return%s without %s", blocks, why.BlockedOp, owner, route, missing)
	d.Related = append(d.Related, why.Path.ReturnHere(fmt.Sprintf("%s returns here without %s", owner, missing)))
}

func (why HookSends) Word(d *analysis.Diagnostic, pkg *types.Package) {
	runner := syntax.FuncName(why.Runner.Fn)
	owner := syntax.FuncName(why.Owner)
	receives := "never receives from " + why.Channel
	if why.Received > 0 {
		receives = "receives from " + why.Channel + " only " + times(why.Received)
	}
	d.Message = fmt.Sprintf("%s%s in hook %s: the goroutine running %s calls the hook on every turn of its loop, and %s %s", blocks, why.BlockedOp, why.Hook, runner, owner, receives)
	d.Related = append(d.Related,
		syntax.Related(why.Installed, owner+" installs the hook here"),
		syntax.Related(why.Call, runner+" calls the hook here, once per event"))
	if why.Receive != nil {
		d.Related = append(d.Related, syntax.Related(why.Receive, "the last receive"))
	}
}

func (why HandedCallback) Word(d *analysis.Diagnostic, pkg *types.Package) {
	owner := syntax.FuncName(why.Owner)
	label := "the " + caseLabel(why.GiveUp) + " case"
	d.Message = fmt.Sprintf("%s%s in a callback handed to %s: the other package runs it on its own goroutine, as often as it chooses, and %s receives from %s only in a select that can give up on %s and not come back",
		blocks, why.BlockedOp, why.Callee, owner, why.Channel, label)
	d.Related = append(d.Related,
		syntax.Related(why.Handed, owner+" hands the callback over here"),
		syntax.Related(why.Receive, owner+" receives here"),
		analysis.RelatedInformation{Pos: why.GiveUp.Pos(), End: why.GiveUp.Colon + 1, Message: owner + " gives up on this case, and receives no more"})
}

func (why WaitsFirst) Word(d *analysis.Diagnostic, pkg *types.Package) {
	owner := syntax.FuncName(why.Owner)
	d.Message = fmt.Sprintf("%s%s: %s waits for the goroutine to finish before it receives from %s, and the goroutine finishes only after its send", blocks, why.BlockedOp, owner, why.Channel)
	d.Related = append(d.Related, syntax.Related(why.Wait, owner+" waits here for ever too"), syntax.Related(why.Receive, "the receive that never comes"))
}

func (why StopsGenerator) Word(d *analysis.Diagnostic, pkg *types.Package) {
	owner := syntax.FuncName(why.Owner)
	stops, here := "stops ranging over it", " stops receiving here"
	if why.GivesUp {
		stops, here = "gives up waiting for it", " gives up here"
	}
	d.Message = fmt.Sprintf("goroutine started by %s blocks for ever sending on the channel it returns once %s %s", why.Generator.Name(), owner, stops)
	if why.ContextArg != nil {
		ctx := syntax.ShortExpr(why.ContextArg)
		d.Message = fmt.Sprintf("goroutine started by %s blocks sending on the channel it returns once %s %s, until %s", why.Generator.Name(), owner, stops, contextEnds(ctx, owner, why.Context))
	}
	d.Related = append(d.Related, syntax.Related(why.Exit, owner+here))
	if why.Call != nil {
		d.Related = append(d.Related, syntax.Related(why.Call, why.Generator.Name()+" starts the goroutine here"))
	}
	for _, send := range why.Sends {
		d.Related = append(d.Related, syntax.Related(send, "the goroutine sends here"))
	}
}

func (why SkippedRelease) Word(d *analysis.Diagnostic, pkg *types.Package) {
	missing := "sending to or closing " + why.Channel
	if why.NeedsClose {
		missing = "closing " + why.Channel
	}
	route := ""
	if why.Path.TestEnds != "" {
		route = ", when the test " + why.Path.TestEnds + ","
	}
	d.Message = fmt.Sprintf("%s blocks for ever %s: the goroutine it starts can return%s without %s", syntax.FuncName(why.Waiter), why.BlockedOp, route, missing)
	d.Related = append(d.Related, why.Path.ReturnHere("the goroutine returns here without "+missing))
}

func (why FewReceives) Word(d *analysis.Diagnostic, pkg *types.Package) {
	d.Message = fmt.Sprintf("goroutines started in a loop block for ever %s: %s receives from it only %s", why.BlockedOp, syntax.FuncName(why.Owner), times(why.Received))
	d.Related = append(d.Related, syntax.Related(why.Receive, "the only receive"))
}

func (why ExtraSends) Word(d *analysis.Diagnostic, pkg *types.Package) {
	if why.Together {
		d.Message = fmt.Sprintf("goroutines block for ever %s: together they send up to %d values but %s receives only %s", why.BlockedOp, why.Sent, syntax.FuncName(why.Owner), times(why.Received))
	} else {
		d.Message = fmt.Sprintf("%s%s: it sends %s but %s receives only %s", blocks, why.BlockedOp, times(why.Sent), syntax.FuncName(why.Owner), times(why.Received))
	}
	d.Related = append(d.Related, syntax.Related(why.Receive, "the only receive"))
	if why.Paced != nil {
		d.Related = append(d.Related, syntax.Related(why.Paced, "this loop sends on every round of its clock, until it is stopped between rounds: a round that sends after the last receive waits for ever"))
	}
	for _, send := range why.Others {
		d.Related = append(d.Related, syntax.Related(send, "another goroutine sends here; any of them can be the one left waiting"))
	}
}

func (why StopsRanging) Word(d *analysis.Diagnostic, pkg *types.Package) {
	owner := syntax.FuncName(why.Owner)
	who, stops := blocks, "stops ranging over it"
	if why.Started {
		who = "goroutines started in a loop block for ever "
	}
	if why.Loop {
		stops = "leaves the loop that receives from it"
	}
	d.Message = fmt.Sprintf("%s%s once %s %s", who, why.BlockedOp, owner, stops)
	d.Related = append(d.Related, syntax.Related(why.Exit, owner+" stops receiving here"))
}

func (why DeadChannel) Word(d *analysis.Diagnostic, pkg *types.Package) {
	d.Message = fmt.Sprintf("%s%s: %s", blocks, why.BlockedOp, why.Dead)
	if rel, ok := why.Dead.MadeHere(); ok {
		d.Related = append(d.Related, rel)
	}
}

func (why LockedWait) Word(d *analysis.Diagnostic, pkg *types.Package) {
	lock := lockName(why.Lock)
	partners, partner := "send on", "the partner sends here, holding the same lock"
	if why.Kind == flow.OpSend {
		partners, partner = "receive from", "the partner receives here, holding the same lock"
	}
	d.Message = fmt.Sprintf("%s%s while holding %s: every %s field %s in package %s is made holding the same lock, so none can happen while it waits",
		blocks, why.BlockedOp, lock, partners, why.Field, why.Pkg)
	d.Related = append(d.Related, syntax.Related(why.Lock.At, lock+" is locked here"))
	for _, p := range why.Partners {
		d.Related = append(d.Related, syntax.Related(p, partner))
	}
}

func (why AfterShutdown) Word(d *analysis.Diagnostic, pkg *types.Package) {
	if why.Method == "" {
		d.Message = fmt.Sprintf("%s%s once %s has returned: %s, its only receiver, returns on shutdown, and the send has no case for that",
			blocks, why.BlockedOp, why.Receiver, why.Receiver)
		d.Related = append(d.Related, syntax.Related(why.StopCase, why.Receiver+" returns on this case"))
		return
	}
	calls := releaseCalls("", why.Shutdown)
	d.Message = fmt.Sprintf("%s blocks for ever %s once %s has been called: its only receiver, a goroutine of the same type, returns then, and the send has no case for shutdown",
		why.Method, why.BlockedOp, calls)
	d.Related = append(d.Related, syntax.Related(why.Loop.Start, "the receiving goroutine is started here"))
	if why.StopCase != nil {
		d.Related = append(d.Related, syntax.Related(why.StopCase, "it returns on this case, once "+calls+" is called"))
	}
}

func (why ReaderGivesUp) Word(d *analysis.Diagnostic, pkg *types.Package) {
	buffer := ""
	if why.Capacity > 0 {
		buffer = fmt.Sprintf(", the goroutines one call of %s starts send %d values, more than the buffer of %d holds,", why.Starter, why.Sent, why.Capacity)
	}
	d.Message = fmt.Sprintf("%s%s once %s has given up: every receive from field %s in package %s can give up for good instead%s and the send has no case for that",
		blocks, why.BlockedOp, why.Receiver, why.Field, pkg.Name(), buffer)
	d.Related = append(d.Related, analysis.RelatedInformation{Pos: why.GiveUp.Pos(), End: why.GiveUp.Colon + 1, Message: why.Receiver + " gives up on this case, and stays given up"})
	d.Related = append(d.Related, syntax.Related(why.Receive, why.Receiver+" receives here"))
}

func (why UndoneWaitGroup) Word(d *analysis.Diagnostic, pkg *types.Package) {
	d.Message = fmt.Sprintf("goroutine blocks for ever in %s.Wait(): nothing in package %s calls %s.Done", why.Wg, pkg.Name(), why.Wg)
	if why.Closes != nil {
		d.Message = fmt.Sprintf("goroutine blocks for ever in %s.Wait(), so it never runs %s: nothing in package %s calls %s.Done",
			why.Wg, types.ExprString(why.Closes), pkg.Name(), why.Wg)
	}
	for _, add := range why.Adds {
		d.Related = append(d.Related, syntax.Related(add, why.Wg+".Add is called here"))
	}
}

func (why OwnClose) Word(d *analysis.Diagnostic, pkg *types.Package) {
	d.Message = fmt.Sprintf("%s%s: only the goroutine's own deferred %s releases it, and that runs only once the goroutine returns",
		blocks, why.BlockedOp, types.ExprString(why.Close.Call))
	d.Related = append(d.Related, syntax.Related(why.Close, "the deferred close is here"))
}

func (why LockOrder) Word(d *analysis.Diagnostic, pkg *types.Package) {
	lock, waiter := lockName(why.Lock), syntax.FuncName(why.Waiter)
	if _, ok := why.Waiter.(*ast.FuncLit); ok {
		waiter = "this function literal"
	}
	d.Message = fmt.Sprintf("%s can block for ever %s while holding %s: the one goroutine that can end the wait takes that lock first, so if %s gets it first, neither moves again",
		waiter, why.BlockedOp, lock, waiter)
	d.Related = append(d.Related, syntax.Related(why.Lock.At, lock+" is locked here"))
	if why.Partner != nil {
		d.Related = append(d.Related, syntax.Related(why.Partner.Start, "the goroutine that can end the wait is started here"))
	}
	d.Related = append(d.Related,
		syntax.Related(why.Taken.At, "it takes the lock here, before it gets to the operation that ends the wait"),
		syntax.Related(why.Ends, "the operation that would end the wait"))
}

func (why DeadCond) Word(d *analysis.Diagnostic, pkg *types.Package) {
	d.Message = fmt.Sprintf("%sin %s.Wait(): nothing in package %s calls Signal or Broadcast on %s", blocks, why.Cond, pkg.Name(), why.Name)
}

func (why Overfilled) Word(d *analysis.Diagnostic, pkg *types.Package) {
	d.Message = fmt.Sprintf("%s%s: this is send %d on a channel whose buffer holds %d, and nothing else can have the channel yet to receive from it",
		blocks, why.BlockedOp, why.Capacity+1, why.Capacity)
}

func (why LockLeft) Word(d *analysis.Diagnostic, pkg *types.Package) {
	lock := lockName(why.Lock)
	d.Message = fmt.Sprintf("%sin %s.%s(): %s can return leaving that lock held, and then nothing unlocks it",
		blocks, lock, why.Op, why.Method)
	d.Related = append(d.Related,
		syntax.Related(why.Call, "the call that can leave it locked"),
		exitHere(why.Ret, why.Method+" returns here still holding the lock"))
}

func (why EmptySelect) Word(d *analysis.Diagnostic, pkg *types.Package) {
	d.Message = blocks + "in an empty select"
}

func (why DeadSelect) Word(d *analysis.Diagnostic, pkg *types.Package) {
	d.Message = blocks + "in select: no case can proceed"
	if len(why.Cases) == 1 {
		d.Message += ": " + why.Cases[0].String()
	} else {
		reasons := make([]string, len(why.Cases))
		for i, c := range why.Cases {
			reasons[i] = c.String()
		}
		d.Message += " (" + strings.Join(reasons, "; ") + ")"
	}
}

func (why EndlessLoop) Word(d *analysis.Diagnostic, pkg *types.Package) {
	if why.Via != nil {
		d.Related = append(d.Related, syntax.Related(why.Via, "the goroutine runs the loop through this call"))
	}
	what := "this for loop has no condition"
	if rs, ok := why.Loop.(*ast.RangeStmt); ok {
		what = "ranging over " + syntax.ShortExpr(rs.X) + " never ends"
	}
	d.Message = "goroutine never finishes: " + what + " and nothing in it returns, breaks out or calls panic"
	if ctx := why.Ctx; ctx != nil {
		d.Message = "goroutine never finishes: " + what + " and it never checks " + ctx.Name() + ".Done(), so cancelling " + ctx.Name() + " does not stop it"
	}
}

func (why DeadExits) Word(d *analysis.Diagnostic, pkg *types.Package) {
	if len(why.Exits) == 1 {
		d.Message = fmt.Sprintf("goroutine never finishes: this for loop leaves only through the %s case, and %s", caseLabel(why.Exits[0]), why.Dead[0])
	} else {
		d.Message = fmt.Sprintf("goroutine never finishes: this for loop leaves only through select cases that can never proceed, the first because %s", why.Dead[0])
	}
	for _, cc := range why.Exits {
		d.Related = append(d.Related, analysis.RelatedInformation{Pos: cc.Pos(), End: cc.Colon + 1, Message: "the way out, which never comes"})
	}
	for _, dead := range why.Dead {
		if rel, ok := dead.MadeHere(); ok {
			d.Related = append(d.Related, rel)
		}
	}
}

func (why ForeignLoop) Word(d *analysis.Diagnostic, pkg *types.Package) {
	d.Related = nil // reported at the go statement itself
	d.Message = fmt.Sprintf("goroutine never finishes: %s loops for ever", why.Callee.FullName())
	if why.IgnoresContext {
		d.Message += " and ignores its context"
	}
}

func (why ContractDiscarded) Word(d *analysis.Diagnostic, pkg *types.Package) {
	d.Related = appendWait(d.Related, why.Wait, why.Loop, why.Methods, why.SendsOn)
	if why.SendsOn != "" {
		d.Message = fmt.Sprintf("%s starts a goroutine that ends by sending on %s, which only %s on its result receives or hands out, but the result is discarded: the goroutine leaks, blocked on that send",
			why.Starter.Name(), why.SendsOn, releaseCalls("", why.Methods))
		return
	}
	d.Message = fmt.Sprintf("%s starts a goroutine that runs until %s is called on its result, which is discarded: the goroutine leaks",
		why.Starter.Name(), releaseCalls("", why.Methods))
}

func (why ContractDropped) Word(d *analysis.Diagnostic, pkg *types.Package) {
	d.Related = appendWait(d.Related, why.Wait, why.Loop, why.Methods, why.SendsOn)
	obj := why.Object.Name()
	starter := why.Starter.Name()
	if why.Method {
		starter = obj + "." + starter
	}
	if why.SendsOn != "" {
		d.Message = fmt.Sprintf("%s starts a goroutine that ends by sending on %s, which only %s receives or hands out, but %s never calls it: the goroutine leaks, blocked on that send, when %s is dropped",
			starter, why.SendsOn, releaseCalls(obj+".", why.Methods), syntax.FuncName(why.Owner), obj)
		return
	}
	d.Message = fmt.Sprintf("%s starts a goroutine that runs until %s is called, but %s never calls it: the goroutine leaks when %s is dropped",
		starter, releaseCalls(obj+".", why.Methods), syntax.FuncName(why.Owner), obj)
}

func (why ErrorPathSkipsRelease) Word(d *analysis.Diagnostic, pkg *types.Package) {
	d.Message = fmt.Sprintf("%s returns on this error without calling %s, as it does on another error path: the goroutine running %s.%s leaks",
		why.Owner.Name.Name, releaseCalls(why.Object+".", why.Methods), why.Object, why.Starter.Name())
	d.Related = append(d.Related, syntax.Related(why.Release, "released here, on another error path"))
	d.Related = appendWait(d.Related, why.Wait, why.Loop, why.Methods, "")
}

func (why ContractTaken) Word(d *analysis.Diagnostic, pkg *types.Package) {
	obj := why.Object.Name()
	d.Message = fmt.Sprintf("%s takes %s out of field %s and clears the field here, but never calls %s: the goroutine that %s starts leaks when %s is dropped",
		syntax.FuncName(why.Owner), obj, why.Field.Name(), releaseCalls(obj+".", why.Methods), why.Starter.Name(), obj)
	d.Related = append(d.Related, syntax.Related(why.Take, obj+" is taken out of the field here"))
	d.Related = appendWait(d.Related, why.Wait, why.Loop, why.Methods, why.SendsOn)
}

func (why ReleaseReturnsEarly) Word(d *analysis.Diagnostic, pkg *types.Package) {
	method := why.Method.Name.Name
	d.Message = fmt.Sprintf("%s returns on this error before it releases the goroutine that %s starts: a caller calls %s once, and the goroutine leaks when the error happens",
		method, why.Starter.Name(), method)
	d.Related = append(d.Related, syntax.Related(why.Release, "the release that this return skips"))
	d.Related = appendWait(d.Related, why.Wait, why.Loop, why.Methods, "")
}

func (why DirectiveWithoutReason) Word(d *analysis.Diagnostic, pkg *types.Package) {
	d.Message = "goroutineleak:ignore needs a reason: write why the goroutine cannot leak after the directive"
}

// lockName is the lock as the code names it where it is taken: "t.mu",
// or "c" for a mutex embedded in c.
func lockName(l model.HeldLock) string {
	if call, ok := l.At.(*ast.CallExpr); ok {
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
			return syntax.ShortExpr(sel.X)
		}
	}
	return l.Path
}

// appendWait relates where a contract's goroutine waits for its release.
func appendWait(rel []analysis.RelatedInformation, wait, loop syntax.Span, methods []string, sendsOn string) []analysis.RelatedInformation {
	if loop.Pos.IsValid() {
		rel = append(rel, analysis.RelatedInformation{Pos: loop.Pos, End: loop.End,
			Message: "the goroutine runs this loop until " + releaseCalls("", methods) + " is called"})
	}
	if !wait.Pos.IsValid() {
		return rel
	}
	if sendsOn != "" {
		return append(rel, analysis.RelatedInformation{Pos: wait.Pos, End: wait.End,
			Message: "the goroutine blocks here until something receives from " + sendsOn + ", through " + releaseCalls("", methods)})
	}
	return append(rel, analysis.RelatedInformation{Pos: wait.Pos, End: wait.End,
		Message: "the goroutine waits here until " + releaseCalls("", methods) + " is called"})
}

// releaseCalls words the calls that release a contract: "w.Stop or w.Close".
func releaseCalls(prefix string, methods []string) string {
	parts := make([]string, len(methods))
	for i, m := range methods {
		parts[i] = prefix + m
	}
	return strings.Join(parts, " or ")
}

// caseLabel shortens a select case for messages: "time.After", "ctx.Done()".
func caseLabel(cc *ast.CommClause) string {
	e, send := syntax.CommChannel(cc)
	switch {
	case e == nil:
		return "other"
	case send:
		return syntax.ShortExpr(e) + " <-"
	}
	if call, ok := ast.Unparen(e).(*ast.CallExpr); ok {
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name != "Done" {
			return types.ExprString(sel) // time.After(...) → time.After
		}
	}
	return syntax.ShortExpr(e)
}

// exitHere relates a way out of a function: a return statement, or the
// closing brace of a body that ends without one.
func exitHere(n ast.Node, msg string) analysis.RelatedInformation {
	if body, ok := n.(*ast.BlockStmt); ok {
		return analysis.RelatedInformation{Pos: body.Rbrace, End: body.Rbrace + 1, Message: msg}
	}
	return syntax.Related(n, msg)
}

func times(n int) string {
	switch {
	case n >= flow.Many:
		return "repeatedly"
	case n == 1:
		return "once"
	case n == 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}

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

// contextEnds words when the context ctx, which owner uses and does not
// cancel, ends (see syntax.OutlivesCall).
func contextEnds(ctx, owner, outlives string) string {
	if outlives == "Background" || outlives == "TODO" {
		return fmt.Sprintf("%s is done, and %s is context.%s(), which is never cancelled", ctx, ctx, outlives)
	}
	return fmt.Sprintf("%s's caller cancels %s: %s leaves without cancelling it", owner, ctx, owner)
}

func (why RelaysCancel) Word(d *analysis.Diagnostic, pkg *types.Package) {
	starter := syntax.FuncName(why.Starter)
	waited := strings.Join(why.Waited, " or ")
	d.Message = fmt.Sprintf("goroutine blocks until %s is done, also after %s is cancelled: it waits only to relay that end to %s, with no case on %s.Done(), and %s hands %s on, so %s can end first (%s)",
		waited, why.Derived, why.Derived, why.Derived, starter, why.Cancel, why.Derived, outlivesCall(why.Waited, why.Outlive))
	d.Related = append(d.Related, syntax.Related(why.Handoff, why.Cancel+" leaves "+starter+" here: calling it ends "+why.Derived+", not the goroutine"))
}

// outlivesCall words why the contexts a goroutine waits on outlive its
// starter's call (see syntax.OutlivesCall).
func outlivesCall(waited []string, outlives string) string {
	if outlives == "Background" || outlives == "TODO" {
		return "context." + outlives + "() is never cancelled"
	}
	return strings.Join(waited, " and ") + " come from its caller"
}
