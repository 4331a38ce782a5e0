package leak

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// Stage 6, the report: the one place that turns verdicts into
// diagnostics. It owns the messages, the related positions (where the
// goroutine starts, the path that abandons it), categories and URLs,
// suggested fixes, and the //goroutineleak:ignore directives.

// A Finding is one leak, ready to report.
type Finding struct {
	Pattern    Pattern
	Diagnostic analysis.Diagnostic
}

// report words the verdicts, drops those a directive silences, and returns
// the findings in position order, each once.
func report(x *index, verdicts []verdict, dirs directives) []Finding {
	var out []Finding
	seen := map[findingKey]bool{}
	for _, v := range verdicts {
		if v.pattern != BadDirective && dirs.silence(x.fset, v) {
			continue
		}
		d := diagnose(x, v)
		key := findingKey{d.Pos, d.Message}
		if seen[key] {
			continue
		}
		seen[key] = true
		for _, f := range v.fixes {
			d.SuggestedFixes = append(d.SuggestedFixes, f.suggested(fixMessage(f)))
		}
		d.Category = v.pattern.Category()
		d.URL = v.pattern.URL()
		out = append(out, Finding{Pattern: v.pattern, Diagnostic: d})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Diagnostic.Pos < out[j].Diagnostic.Pos })
	return out
}

type findingKey struct {
	pos     token.Pos
	message string
}

// diagnose words one verdict.
func diagnose(x *index, v verdict) analysis.Diagnostic {
	d := analysis.Diagnostic{Pos: v.at.Pos(), End: keywordEnd(v.at)}
	if v.spawn != nil {
		d.Related = append(d.Related, startedHere(v.spawn))
	}
	if v.through != nil {
		d.Related = append(d.Related, related(v.through, "the goroutine reaches it through this call"))
	}
	for _, w := range v.alsoWaits {
		d.Related = append(d.Related, related(w, "the parent waits here for ever too: only the goroutine would end this wait, after it blocks"))
	}
	if on, ok := v.why.(onChannel); ok {
		op := on.operation()
		for _, at := range op.viaAt {
			d.Related = append(d.Related, related(at, op.via+" blocks here"))
		}
	}
	const blocks = "goroutine blocks for ever "
	switch why := v.why.(type) {
	case nilChannel:
		d.Message = fmt.Sprintf("%s%s: %s is a nil channel", blocks, why.blockedOp, why.channel)
	case noPartner:
		if why.kind.receives() {
			d.Message = fmt.Sprintf("%s%s: nothing sends to or closes %s", blocks, why.blockedOp, why.channel)
		} else {
			d.Message = fmt.Sprintf("%s%s: nothing receives from %s", blocks, why.blockedOp, why.channel)
		}
	case neverClosed:
		d.Message = fmt.Sprintf("%s%s: nothing closes %s, so the loop never ends", blocks, why.blockedOp, why.channel)
	case abandoned:
		missing := "receiving from " + why.channel
		switch {
		case why.needsClose:
			missing = "closing " + why.channel
		case why.kind.receives():
			missing = "sending to or closing " + why.channel
		}
		route := ""
		if choice := why.path.choice; choice != nil {
			label := "the default case"
			if choice.Comm != nil {
				label = "the " + caseLabel(choice) + " case"
			}
			route = " through " + label
			d.Related = append(d.Related, analysis.RelatedInformation{Pos: choice.Pos(), End: choice.Colon + 1, Message: label + " is taken instead"})
		}
		owner := funcName(why.owner)
		if how := why.path.testEnds; how != "" {
			d.Message = fmt.Sprintf("%s%s: %s can stop%s when the test %s, without %s", blocks, why.blockedOp, owner, route, how, missing)
			d.Related = append(d.Related, related(why.path.exit, fmt.Sprintf("the test %s here, and %s stops without %s", how, owner, missing)))
			break
		}
		d.Message = fmt.Sprintf("%s%s: %s can return%s without %s", blocks, why.blockedOp, owner, route, missing)
		d.Related = append(d.Related, why.path.returnHere(fmt.Sprintf("%s returns here without %s", owner, missing)))
	case waitsFirst:
		owner := funcName(why.owner)
		d.Message = fmt.Sprintf("%s%s: %s waits for the goroutine to finish before it receives from %s, and the goroutine finishes only after its send", blocks, why.blockedOp, owner, why.channel)
		d.Related = append(d.Related, related(why.wait, owner+" waits here for ever too"), related(why.receive, "the receive that never comes"))
	case stopsGenerator:
		owner := funcName(why.owner)
		d.Message = fmt.Sprintf("goroutine started by %s blocks for ever sending on the channel it returns once %s stops ranging over it", why.generator.Name(), owner)
		d.Related = append(d.Related, related(why.exit, owner+" stops receiving here"))
		if why.call != nil {
			d.Related = append(d.Related, related(why.call, why.generator.Name()+" starts the goroutine here"))
		}
		for _, send := range why.sends {
			d.Related = append(d.Related, related(send, "the goroutine sends here"))
		}
	case skippedRelease:
		missing := "sending to or closing " + why.channel
		if why.needsClose {
			missing = "closing " + why.channel
		}
		route := ""
		if why.path.testEnds != "" {
			route = ", when the test " + why.path.testEnds + ","
		}
		d.Message = fmt.Sprintf("%s blocks for ever %s: the goroutine it starts can return%s without %s", funcName(why.waiter), why.blockedOp, route, missing)
		d.Related = append(d.Related, why.path.returnHere("the goroutine returns here without "+missing))
	case fewReceives:
		d.Message = fmt.Sprintf("goroutines started in a loop block for ever %s: %s receives from it only %s", why.blockedOp, funcName(why.owner), times(why.received))
		d.Related = append(d.Related, related(why.receive, "the only receive"))
	case extraSends:
		if why.together {
			d.Message = fmt.Sprintf("goroutines block for ever %s: together they send up to %d values but %s receives only %s", why.blockedOp, why.sent, funcName(why.owner), times(why.received))
		} else {
			d.Message = fmt.Sprintf("%s%s: it sends %s but %s receives only %s", blocks, why.blockedOp, times(why.sent), funcName(why.owner), times(why.received))
		}
		d.Related = append(d.Related, related(why.receive, "the only receive"))
	case stopsRanging:
		owner := funcName(why.owner)
		who, stops := blocks, "stops ranging over it"
		if why.started {
			who = "goroutines started in a loop block for ever "
		}
		if why.loop {
			stops = "leaves the loop that receives from it"
		}
		d.Message = fmt.Sprintf("%s%s once %s %s", who, why.blockedOp, owner, stops)
		d.Related = append(d.Related, related(why.exit, owner+" stops receiving here"))
	case deadChannel:
		d.Message = fmt.Sprintf("%s%s: %s", blocks, why.blockedOp, why.dead)
	case lockedWait:
		lock := lockName(why.lock)
		partners, partner := "send on", "the partner sends here, holding the same lock"
		if why.kind == opSend {
			partners, partner = "receive from", "the partner receives here, holding the same lock"
		}
		d.Message = fmt.Sprintf("%s%s while holding %s: every %s field %s in package %s is made holding the same lock, so none can happen while it waits",
			blocks, why.blockedOp, lock, partners, why.field, why.pkg)
		d.Related = append(d.Related, related(why.lock.at, lock+" is locked here"))
		for _, p := range why.partners {
			d.Related = append(d.Related, related(p, partner))
		}
	case afterShutdown:
		if why.method == "" {
			d.Message = fmt.Sprintf("%s%s once %s has returned: %s, its only receiver, returns on shutdown, and the send has no case for that",
				blocks, why.blockedOp, why.receiver, why.receiver)
			d.Related = append(d.Related, related(why.stopCase, why.receiver+" returns on this case"))
			break
		}
		calls := releaseCalls("", why.shutdown)
		d.Message = fmt.Sprintf("%s blocks for ever %s once %s has been called: its only receiver, a goroutine of the same type, returns then, and the send has no case for shutdown",
			why.method, why.blockedOp, calls)
		d.Related = append(d.Related, related(why.loop.start, "the receiving goroutine is started here"))
		if why.stopCase != nil {
			d.Related = append(d.Related, related(why.stopCase, "it returns on this case, once "+calls+" is called"))
		}
	case neverDone:
		d.Message = fmt.Sprintf("goroutine blocks for ever in %s.Wait(): nothing in package %s calls %s.Done", why.wg, x.pkg.Name(), why.wg)
		if why.closes != nil {
			d.Message = fmt.Sprintf("goroutine blocks for ever in %s.Wait(), so it never runs %s: nothing in package %s calls %s.Done",
				why.wg, types.ExprString(why.closes), x.pkg.Name(), why.wg)
		}
		for _, add := range why.adds {
			d.Related = append(d.Related, related(add, why.wg+".Add is called here"))
		}
	case ownClose:
		d.Message = fmt.Sprintf("%s%s: only the goroutine's own deferred %s releases it, and that runs only once the goroutine returns",
			blocks, why.blockedOp, types.ExprString(why.close.Call))
		d.Related = append(d.Related, related(why.close, "the deferred close is here"))
	case lockOrder:
		lock, waiter := lockName(why.lock), funcName(why.waiter)
		if _, ok := why.waiter.(*ast.FuncLit); ok {
			waiter = "this function literal"
		}
		d.Message = fmt.Sprintf("%s can block for ever %s while holding %s: the one goroutine that can end the wait takes that lock first, so if %s gets it first, neither moves again",
			waiter, why.blockedOp, lock, waiter)
		d.Related = append(d.Related, related(why.lock.at, lock+" is locked here"))
		if why.partner != nil {
			d.Related = append(d.Related, related(why.partner.start, "the goroutine that can end the wait is started here"))
		}
		d.Related = append(d.Related,
			related(why.taken.at, "it takes the lock here, before it gets to the operation that ends the wait"),
			related(why.ends, "the operation that would end the wait"))
	case deadCond:
		d.Message = fmt.Sprintf("%sin %s.Wait(): nothing in package %s calls Signal or Broadcast on %s", blocks, why.cond, x.pkg.Name(), why.name)
	case overfilled:
		d.Message = fmt.Sprintf("%s%s: this is send %d on a channel whose buffer holds %d, and nothing else can have the channel yet to receive from it",
			blocks, why.blockedOp, why.capacity+1, why.capacity)
	case lockLeft:
		lock := lockName(why.lock)
		d.Message = fmt.Sprintf("%sin %s.%s(): %s can return leaving that lock held, and then nothing unlocks it",
			blocks, lock, why.op, why.method)
		d.Related = append(d.Related,
			related(why.call, "the call that can leave it locked"),
			exitHere(why.ret, why.method+" returns here still holding the lock"))
	case emptySelect:
		d.Message = blocks + "in an empty select"
	case deadSelect:
		d.Message = blocks + "in select: no case can proceed"
		if len(why.cases) == 1 {
			d.Message += ": " + why.cases[0].String()
		} else {
			reasons := make([]string, len(why.cases))
			for i, c := range why.cases {
				reasons[i] = c.String()
			}
			d.Message += " (" + strings.Join(reasons, "; ") + ")"
		}
	case endlessLoop:
		if why.via != nil {
			d.Related = append(d.Related, related(why.via, "the goroutine runs the loop through this call"))
		}
		what := "this for loop has no condition"
		if rs, ok := why.loop.(*ast.RangeStmt); ok {
			what = "ranging over " + shortExpr(rs.X) + " never ends"
		}
		d.Message = "goroutine never finishes: " + what + " and nothing in it returns, breaks out or calls panic"
		if ctx := why.ctx; ctx != nil {
			d.Message = "goroutine never finishes: " + what + " and it never checks " + ctx.Name() + ".Done(), so cancelling " + ctx.Name() + " does not stop it"
		}
	case foreignLoop:
		d.Related = nil // reported at the go statement itself
		d.Message = fmt.Sprintf("goroutine never finishes: %s loops for ever", why.callee.FullName())
		if why.ignoresContext {
			d.Message += " and ignores its context"
		}
	case contractDiscarded:
		d.Related = appendWait(d.Related, why.wait, why.methods)
		d.Message = fmt.Sprintf("%s starts a goroutine that runs until %s is called on its result, which is discarded: the goroutine leaks",
			why.starter.Name(), releaseCalls("", why.methods))
	case contractDropped:
		d.Related = appendWait(d.Related, why.wait, why.methods)
		obj := why.object.Name()
		starter := why.starter.Name()
		if why.method {
			starter = obj + "." + starter
		}
		d.Message = fmt.Sprintf("%s starts a goroutine that runs until %s is called, but %s never calls it: the goroutine leaks when %s is dropped",
			starter, releaseCalls(obj+".", why.methods), funcName(why.owner), obj)
	case directiveWithoutReason:
		d.Message = "goroutineleak:ignore needs a reason: write why the goroutine cannot leak after the directive"
	default:
		panic(fmt.Sprintf("leak: no words for a verdict of cause %q", v.why.cause()))
	}
	return d
}

// String words the blocking operation: "receiving from ch", "in consume,
// ranging over ch", "sending on unbuffered channel out".
func (op blockedOp) String() string {
	var s string
	switch {
	case op.kind == opRange:
		s = "ranging over " + op.channel
	case op.kind == opRecv:
		s = "receiving from " + op.channel
	case op.unbuffered:
		s = "sending on unbuffered channel " + op.channel
	default:
		s = "sending on " + op.channel
	}
	if op.via != "" {
		s = "in " + op.via + ", " + s
	}
	return s
}

// String words why a channel can never be ready.
func (d deadness) String() string {
	switch d.kind {
	case deadNil:
		if d.channel == "" {
			return "the channel is nil"
		}
		return d.channel + " is nil"
	case deadNeverDone:
		return fmt.Sprintf("%s is context.%s(), which is never cancelled", d.channel, d.detail)
	case deadField:
		return fmt.Sprintf("nothing in package %s sends to or closes field %s", d.detail, d.channel)
	case deadNoReceiver:
		return "nothing receives from " + d.channel
	case deadFieldNoReceiver:
		return fmt.Sprintf("nothing in package %s receives from field %s", d.detail, d.channel)
	case deadFieldFills:
		return fmt.Sprintf("nothing in package %s receives from field %s, so once its buffer is full this send, made again and again, waits for ever", d.detail, d.channel)
	case deadFresh:
		return "the channel is made here, so nothing else can reach it"
	default:
		return "nothing sends to or closes " + d.channel
	}
}

// lockName is the lock as the code names it where it is taken: "t.mu",
// or "c" for a mutex embedded in c.
func lockName(l heldLock) string {
	if call, ok := l.at.(*ast.CallExpr); ok {
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
			return shortExpr(sel.X)
		}
	}
	return l.path
}

// appendWait relates where a contract's goroutine waits for its release.
func appendWait(rel []analysis.RelatedInformation, wait span, methods []string) []analysis.RelatedInformation {
	if !wait.pos.IsValid() {
		return rel
	}
	return append(rel, analysis.RelatedInformation{Pos: wait.pos, End: wait.end,
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
	e, send := commChannel(cc)
	switch {
	case e == nil:
		return "other"
	case send:
		return shortExpr(e) + " <-"
	}
	if call, ok := ast.Unparen(e).(*ast.CallExpr); ok {
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name != "Done" {
			return types.ExprString(sel) // time.After(...) → time.After
		}
	}
	return shortExpr(e)
}

// keywordEnd ends the highlighted range of a statement with a body at its
// keyword, so editors do not underline a whole loop.
func keywordEnd(n ast.Node) token.Pos {
	switch n.(type) {
	case *ast.ForStmt, *ast.RangeStmt:
		return n.Pos() + token.Pos(len("for"))
	case *ast.SelectStmt:
		return n.Pos() + token.Pos(len("select"))
	}
	return n.End()
}

// funcName names fn for messages.
func funcName(fn ast.Node) string {
	if d, ok := fn.(*ast.FuncDecl); ok {
		return d.Name.Name
	}
	return "the enclosing function literal"
}

func related(n ast.Node, msg string) analysis.RelatedInformation {
	return analysis.RelatedInformation{Pos: n.Pos(), End: n.End(), Message: msg}
}

// returnHere relates the return of an escape path: the closing brace
// alone for the return at the end of a body.
func (p *escapePath) returnHere(msg string) analysis.RelatedInformation {
	rel := related(p.exit, msg)
	if ret, ok := p.exit.(*ast.ReturnStmt); ok && p.implicit {
		rel.End = ret.Return + 1
	}
	return rel
}

// exitHere relates a way out of a function: a return statement, or the
// closing brace of a body that ends without one.
func exitHere(n ast.Node, msg string) analysis.RelatedInformation {
	if body, ok := n.(*ast.BlockStmt); ok {
		return analysis.RelatedInformation{Pos: body.Rbrace, End: body.Rbrace + 1, Message: msg}
	}
	return related(n, msg)
}

// startedHere relates the start of a goroutine: the go keyword, or the
// function of a wg.Go call.
func startedHere(s *spawn) analysis.RelatedInformation {
	end := s.start.Pos() + token.Pos(len("go"))
	if call, ok := s.start.(*ast.CallExpr); ok {
		end = call.Fun.End()
	}
	return analysis.RelatedInformation{Pos: s.start.Pos(), End: end, Message: "goroutine started here"}
}

func times(n int) string {
	switch {
	case n >= many:
		return "repeatedly"
	case n == 1:
		return "once"
	case n == 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}
