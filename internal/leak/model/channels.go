package model

import (
	"go/ast"
	"go/types"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
)

// Stage 4, the channel model: every channel a goroutine of this package
// may wait on, with every use of it classified (flow/uses.go) and tied to the
// goroutine that performs it. Local channels of the functions that start
// goroutines are modelled up front, since rules on one channel ask about
// others (the other cases of a select); unexported channel fields, which
// need a walk of the whole package, are modelled the first time a rule
// asks for one.

// Channels is the result of stage 4.
type Channels struct {
	x   *syntax.Index
	sum *flow.Summaries

	Locals []LocalChan                   // in source order
	ByVar  map[*types.Var]*flow.ChanFlow // the flows of locals
	fields map[*types.Var]*flow.ChanFlow // on demand, see fieldFlow

	releasersMemo map[releasersKey][]*types.Func // see releasers
	releaseMemo   map[releaseKey]*release        // see releaseMethods
}

// A localChan is a channel variable local to owner, a function that starts
// goroutines.
type LocalChan struct {
	Flow  *flow.ChanFlow
	Owner ast.Node // *ast.FuncDecl or *ast.FuncLit
}

// BuildChannels models the local channels of the functions that start
// goroutines.
func BuildChannels(x *syntax.Index, sum *flow.Summaries, gs *flow.Goroutines) *Channels {
	m := &Channels{x: x, sum: sum, ByVar: make(map[*types.Var]*flow.ChanFlow)}
	seen := map[*ast.FuncDecl]bool{}
	for _, s := range gs.List {
		for enc := range s.Cur.Enclosing((*ast.FuncDecl)(nil)) {
			decl := enc.Node().(*ast.FuncDecl)
			if seen[decl] {
				continue
			}
			seen[decl] = true
			for cur := range enc.Preorder((*ast.Ident)(nil)) {
				id := cur.Node().(*ast.Ident)
				v, ok := x.Info.Defs[id].(*types.Var)
				if !ok || v.IsField() || !syntax.IsChan(v.Type()) || syntax.IsParamOrResultIdent(cur) {
					continue
				}
				if owner := flow.PlaceAt(cur).Owner; owner != nil {
					f := sum.FlowOf(v, owner)
					for i := range f.Uses {
						f.Uses[i].Spawn = gs.SpawnOf(&f.Uses[i])
					}
					m.ByVar[v] = f
					m.Locals = append(m.Locals, LocalChan{f, owner})
				}
			}
		}
	}
	return m
}

// FieldFlow classifies every use of an unexported channel field declared
// in this package, or of an unexported package-level channel variable
// (its declaration gives it its value); nil for other variables.
func (m *Channels) FieldFlow(field *types.Var) *flow.ChanFlow {
	field = field.Origin()
	isPackageVar := field.Parent() == m.x.Pkg.Scope()
	if !syntax.Hidden(m.x, field) || !syntax.IsChan(field.Type()) || !field.IsField() && !isPackageVar {
		return nil
	}
	if f, ok := m.fields[field]; ok {
		return f
	}
	if m.fields == nil {
		m.fields = make(map[*types.Var]*flow.ChanFlow)
	}
	f := &flow.ChanFlow{V: field, Capacity: -1, Field: true}
	m.fields[field] = f
	if m.x.PositionallyBuilt(field) {
		f.Escapes = true // a positional literal gives it a value we do not name
		return f
	}
	for _, cur := range m.x.FieldMentions(field) {
		if m.x.Info.Defs[cur.Node().(*ast.Ident)] == field && !isPackageVar {
			continue // the field's declaration
		}
		if sel, ok := cur.Parent().Node().(*ast.SelectorExpr); ok && sel.Sel == cur.Node() {
			cur = cur.Parent()
		}
		m.sum.Classify(f, cur, 0)
		if f.Escapes {
			break
		}
	}
	if f.EscapesReceiveOnly && !f.Escapes {
		// Other code may wait on it: it escapes, but only this package's
		// uses send on it or close it.
		f.Escapes, f.SendsKnown = true, true
	}
	return f
}

// releasers returns, once per field, the method of named around each send
// on or close of the field (nil for one outside named's methods); ok is
// false when the field escapes.
func (m *Channels) releasers(field *types.Var, named *types.Named, closeOnly bool) (methods []*types.Func, ok bool) {
	key := releasersKey{field, named, closeOnly}
	if r, seen := m.releasersMemo[key]; seen {
		return r, r != nil
	}
	if m.releasersMemo == nil {
		m.releasersMemo = make(map[releasersKey][]*types.Func)
	}
	m.releasersMemo[key] = nil
	chFlow := m.FieldFlow(field)
	if chFlow == nil || chFlow.Escapes && !chFlow.SendsKnown {
		return nil, false
	}
	methods = []*types.Func{}
	for _, u := range chFlow.Uses {
		if u.Kind == flow.OpClose || u.Kind == flow.OpSend && !closeOnly {
			methods = append(methods, MethodAround(m.x.Info, u.At, named))
		}
	}
	m.releasersMemo[key] = methods
	return methods, true
}

type releasersKey struct {
	field     *types.Var
	named     *types.Named
	closeOnly bool // only closes release
}

// DeadCase tells whether a select case can never proceed.
func (m *Channels) DeadCase(cc *ast.CommClause) (Deadness, bool) {
	ch, send := syntax.CommChannel(cc)
	if ch == nil {
		return Deadness{}, false
	}
	if id, ok := ast.Unparen(ch).(*ast.Ident); ok {
		if v, ok := m.x.Info.Uses[id].(*types.Var); ok && m.ByVar[v] != nil {
			f := m.ByVar[v]
			switch {
			case f.Escapes:
				return Deadness{}, false
			case f.IsNil:
				return Deadness{Kind: deadNil, Channel: v.Name()}, true
			case send && f.Capacity == 0 && f.Count(func(u *flow.ChanUse) bool { return u.Kind.Receives() }) == 0:
				return Deadness{Kind: deadNoReceiver, Channel: v.Name()}, true
			case !send && f.Count(func(u *flow.ChanUse) bool { return u.Kind == flow.OpSend || u.Kind == flow.OpClose }) == 0:
				return Deadness{Kind: deadNoSender, Channel: v.Name()}, true
			}
			return Deadness{}, false
		}
	}
	return m.DeadNonLocal(ch, send)
}

// DeadCaseFor tells whether a select case can never proceed in the
// goroutine s: a dead case (see DeadCase), or a receive from a local
// channel variable that s reads after its owner has given it a new channel
// that nothing sends to or closes. Every value of the variable is made
// there; the owner closes or sends on it only in its own code, before the
// last make, which is not in a loop; s is started after that make. (A stop
// channel closed for the first goroutine, then made again for a second
// one that nothing stops.)
func (m *Channels) DeadCaseFor(cc *ast.CommClause, s *flow.Spawn) (Deadness, bool) {
	if d, dead := m.DeadCase(cc); dead || s == nil {
		return d, dead
	}
	ch, send := syntax.CommChannel(cc)
	id, ok := ast.Unparen(ch).(*ast.Ident)
	if !ok || send {
		return Deadness{}, false
	}
	v, _ := m.x.Info.Uses[id].(*types.Var)
	f := m.ByVar[v]
	if f == nil || f.EscapesByUse || f.Returned || f.Defs < 2 {
		return Deadness{}, false
	}
	values, ok := m.x.ValuesOf(v)
	if !ok {
		return Deadness{}, false
	}
	for _, value := range values {
		if call, isCall := value.(*ast.CallExpr); !isCall {
			return Deadness{}, false
		} else if _, isMake := flow.MakeChanCap(m.sum.X, call); !isMake {
			return Deadness{}, false
		}
	}
	last := values[len(values)-1]
	lastCur := m.x.CursorOf(last)
	if !lastCur.Valid() || flow.PlaceAt(lastCur).InLoop || s.Start.Pos() < last.End() || s.Parent != flow.PlaceAt(lastCur).Owner {
		return Deadness{}, false
	}
	partners := 0
	for i := range f.Uses {
		u := &f.Uses[i]
		if u.Kind != flow.OpSend && u.Kind != flow.OpClose {
			continue
		}
		if u.Spawn != nil || u.Place.Owner != s.Parent || u.Place.Deferred || u.Pos() > last.Pos() {
			return Deadness{}, false
		}
		partners++
	}
	if partners == 0 {
		return Deadness{}, false // DeadCase's: nothing ever sends to or closes it
	}
	return Deadness{Kind: deadRemade, Channel: v.Name(), Made: last}, true
}

// DeadNonLocal tells whether a channel expression other than a local
// variable is one that nothing will ever send to or close (for a receive)
// or receive from (for a send).
func (m *Channels) DeadNonLocal(ch ast.Expr, send bool) (Deadness, bool) {
	ch = ast.Unparen(ch)
	if call, ok := ch.(*ast.CallExpr); ok {
		// make(chan T) in the operation itself: no one else holds it. A
		// send is dead only when it has no buffer to fill.
		if capacity, ok := flow.MakeChanCap(m.sum.X, call); ok && (!send || capacity == 0) {
			return Deadness{Kind: deadFresh}, true
		}
	}
	if send {
		// An unbuffered field that nothing in the package receives from.
		if field := m.FieldOf(ch); field != nil {
			if f := m.FieldFlow(field); f != nil && !f.Escapes && f.Defs > 0 && !f.Buffered {
				if f.Count(func(u *flow.ChanUse) bool { return u.Kind.Receives() }) == 0 {
					return Deadness{Kind: deadFieldNoReceiver, Channel: field.Name(), Detail: m.x.Pkg.Name()}, true
				}
			}
		}
		return Deadness{}, false
	}
	if syntax.IsNilIdent(m.x.Info, ch) {
		return Deadness{Kind: deadNil}, true
	}
	if made := syntax.AfterFuncTimerC(m.x, ch); made != nil {
		return Deadness{Kind: deadAfterFunc, Channel: syntax.ShortExpr(ch), Made: made}, true
	}
	if ctx, constructor := syntax.NeverDoneContext(m.x, ch); ctx != "" {
		return Deadness{Kind: deadNeverDone, Channel: ctx, Detail: constructor}, true
	}
	if field := m.FieldOf(ch); field != nil {
		if f := m.FieldFlow(field); f != nil && !f.Escapes {
			if f.Count(func(u *flow.ChanUse) bool { return u.Kind == flow.OpSend || u.Kind == flow.OpClose }) == 0 {
				return Deadness{Kind: deadField, Channel: field.Name(), Detail: m.x.Pkg.Name()}, true
			}
		}
	}
	return Deadness{}, false
}

// PackageVarOf is the unexported package-level channel variable that a
// channel expression names; nil otherwise.
func (m *Channels) PackageVarOf(ch ast.Expr) *types.Var {
	id, ok := ast.Unparen(ch).(*ast.Ident)
	if !ok {
		return nil
	}
	v, ok := m.x.Info.Uses[id].(*types.Var)
	if !ok || v.Parent() != m.x.Pkg.Scope() || !syntax.Hidden(m.x, v) {
		return nil
	}
	return v
}

// FieldOf is the struct field a channel expression denotes: x.f, or a
// call of a getter of this package that returns it (see getterOf); nil
// otherwise.
func (m *Channels) FieldOf(ch ast.Expr) *types.Var {
	switch e := ast.Unparen(ch).(type) {
	case *ast.SelectorExpr:
		if field, ok := m.x.Info.Uses[e.Sel].(*types.Var); ok && field.IsField() {
			return field
		}
	case *ast.CallExpr:
		decl := m.x.Decls[syntax.StaticCallee(m.x.Info, e)]
		if decl == nil {
			return nil
		}
		ret := flow.GetterReturn(m.x.Info, decl)
		if ret == nil {
			return nil
		}
		if cur := m.x.CursorOf(ret); cur.Valid() && flow.GetterOf(m.sum.X, cur) != nil {
			return m.FieldOf(ret.Results[0])
		}
	}
	return nil
}
