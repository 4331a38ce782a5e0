package leak

import (
	"go/ast"
	"go/types"
)

// Stage 4, the channel model: every channel a goroutine of this package
// may wait on, with every use of it classified (uses.go) and tied to the
// goroutine that performs it. Local channels of the functions that start
// goroutines are modelled up front, since rules on one channel ask about
// others (the other cases of a select); unexported channel fields, which
// need a walk of the whole package, are modelled the first time a rule
// asks for one.

// channelModel is the result of stage 4.
type channelModel struct {
	x   *index
	sum *summaries

	locals []localChan              // in source order
	byVar  map[*types.Var]*chanFlow // the flows of locals
	fields map[*types.Var]*chanFlow // on demand, see fieldFlow

	releasersMemo map[releasersKey][]*types.Func // see releasers
	releaseMemo   map[releaseKey]*release        // see releaseMethods
}

// A localChan is a channel variable local to owner, a function that starts
// goroutines.
type localChan struct {
	flow  *chanFlow
	owner ast.Node // *ast.FuncDecl or *ast.FuncLit
}

// buildChannels models the local channels of the functions that start
// goroutines.
func buildChannels(x *index, sum *summaries, gs *goroutines) *channelModel {
	m := &channelModel{x: x, sum: sum, byVar: make(map[*types.Var]*chanFlow)}
	seen := map[*ast.FuncDecl]bool{}
	for _, s := range gs.list {
		for enc := range s.cur.Enclosing((*ast.FuncDecl)(nil)) {
			decl := enc.Node().(*ast.FuncDecl)
			if seen[decl] {
				continue
			}
			seen[decl] = true
			for cur := range enc.Preorder((*ast.Ident)(nil)) {
				id := cur.Node().(*ast.Ident)
				v, ok := x.info.Defs[id].(*types.Var)
				if !ok || v.IsField() || !isChan(v.Type()) || isParamOrResultIdent(cur) {
					continue
				}
				if owner := placeAt(cur).owner; owner != nil {
					f := sum.flowOf(v, owner)
					for i := range f.uses {
						f.uses[i].spawn = gs.spawnOf(&f.uses[i])
					}
					m.byVar[v] = f
					m.locals = append(m.locals, localChan{f, owner})
				}
			}
		}
	}
	return m
}

// spawnOf returns the goroutine that performs u, or nil.
func (gs *goroutines) spawnOf(u *chanUse) *spawn {
	if u.via != nil {
		if s := gs.byNode[u.via]; s != nil && s.lit == nil {
			return s
		}
	}
	if u.place.owner != nil {
		return gs.byNode[u.place.owner]
	}
	return nil
}

// fieldFlow classifies every use of an unexported channel field declared
// in this package; nil for other fields.
func (m *channelModel) fieldFlow(field *types.Var) *chanFlow {
	field = field.Origin()
	if !hidden(m.x, field) || !isChan(field.Type()) {
		return nil
	}
	if f, ok := m.fields[field]; ok {
		return f
	}
	if m.fields == nil {
		m.fields = make(map[*types.Var]*chanFlow)
	}
	f := &chanFlow{v: field, capacity: -1, field: true}
	m.fields[field] = f
	if m.x.positionallyBuilt(field) {
		f.escapes = true // a positional literal gives it a value we do not name
		return f
	}
	for _, cur := range m.x.fieldMentions(field) {
		if m.x.info.Defs[cur.Node().(*ast.Ident)] == field {
			continue // the field's declaration
		}
		if sel, ok := cur.Parent().Node().(*ast.SelectorExpr); ok && sel.Sel == cur.Node() {
			cur = cur.Parent()
		}
		m.sum.classify(f, cur, 0)
		if f.escapes {
			break
		}
	}
	return f
}

// releasers returns, once per field, the method of named around each send
// on or close of the field (nil for one outside named's methods); ok is
// false when the field escapes.
func (m *channelModel) releasers(field *types.Var, named *types.Named) (methods []*types.Func, ok bool) {
	key := releasersKey{field, named}
	if r, seen := m.releasersMemo[key]; seen {
		return r, r != nil
	}
	if m.releasersMemo == nil {
		m.releasersMemo = make(map[releasersKey][]*types.Func)
	}
	m.releasersMemo[key] = nil
	flow := m.fieldFlow(field)
	if flow == nil || flow.escapes {
		return nil, false
	}
	methods = []*types.Func{}
	for _, u := range flow.uses {
		if u.kind == opSend || u.kind == opClose {
			methods = append(methods, methodAround(m.x.info, u.at, named))
		}
	}
	m.releasersMemo[key] = methods
	return methods, true
}

type releasersKey struct {
	field *types.Var
	named *types.Named
}

// deadCase tells whether a select case can never proceed.
func (m *channelModel) deadCase(cc *ast.CommClause) (deadness, bool) {
	ch, send := commChannel(cc)
	if ch == nil {
		return deadness{}, false
	}
	if id, ok := ast.Unparen(ch).(*ast.Ident); ok {
		if v, ok := m.x.info.Uses[id].(*types.Var); ok && m.byVar[v] != nil {
			f := m.byVar[v]
			switch {
			case f.escapes:
				return deadness{}, false
			case f.isNil:
				return deadness{kind: deadNil, channel: v.Name()}, true
			case send && f.capacity == 0 && f.count(func(u *chanUse) bool { return u.kind.receives() }) == 0:
				return deadness{kind: deadNoReceiver, channel: v.Name()}, true
			case !send && f.count(func(u *chanUse) bool { return u.kind == opSend || u.kind == opClose }) == 0:
				return deadness{kind: deadNoSender, channel: v.Name()}, true
			}
			return deadness{}, false
		}
	}
	return m.deadNonLocal(ch, send)
}

// deadNonLocal tells whether a channel expression other than a local
// variable is one that nothing will ever send to or close (for a receive)
// or receive from (for a send).
func (m *channelModel) deadNonLocal(ch ast.Expr, send bool) (deadness, bool) {
	ch = ast.Unparen(ch)
	if call, ok := ch.(*ast.CallExpr); ok {
		// make(chan T) in the operation itself: no one else holds it. A
		// send is dead only when it has no buffer to fill.
		if capacity, ok := makeChanCap(m.sum.x, call); ok && (!send || capacity == 0) {
			return deadness{kind: deadFresh}, true
		}
	}
	if send {
		// An unbuffered field that nothing in the package receives from.
		if field := m.fieldOf(ch); field != nil {
			if f := m.fieldFlow(field); f != nil && !f.escapes && f.defs > 0 && !f.buffered {
				if f.count(func(u *chanUse) bool { return u.kind.receives() }) == 0 {
					return deadness{kind: deadFieldNoReceiver, channel: field.Name(), detail: m.x.pkg.Name()}, true
				}
			}
		}
		return deadness{}, false
	}
	if isNilIdent(m.x.info, ch) {
		return deadness{kind: deadNil}, true
	}
	if ctx, constructor := neverDoneContext(m.x, ch); ctx != "" {
		return deadness{kind: deadNeverDone, channel: ctx, detail: constructor}, true
	}
	if field := m.fieldOf(ch); field != nil {
		if f := m.fieldFlow(field); f != nil && !f.escapes {
			if f.count(func(u *chanUse) bool { return u.kind == opSend || u.kind == opClose }) == 0 {
				return deadness{kind: deadField, channel: field.Name(), detail: m.x.pkg.Name()}, true
			}
		}
	}
	return deadness{}, false
}

// fieldOf is the struct field a channel expression denotes: x.f, or a
// call of a getter of this package that returns it (see getterOf); nil
// otherwise.
func (m *channelModel) fieldOf(ch ast.Expr) *types.Var {
	switch e := ast.Unparen(ch).(type) {
	case *ast.SelectorExpr:
		if field, ok := m.x.info.Uses[e.Sel].(*types.Var); ok && field.IsField() {
			return field
		}
	case *ast.CallExpr:
		decl := m.x.decls[staticCallee(m.x.info, e)]
		if decl == nil {
			return nil
		}
		ret := getterReturn(m.x.info, decl)
		if ret == nil {
			return nil
		}
		if cur := m.x.cursorOf(ret); cur.Valid() && getterOf(m.sum.x, cur) != nil {
			return m.fieldOf(ret.Results[0])
		}
	}
	return nil
}

// usesWhere returns pointers to the uses that satisfy pred.
func (f *chanFlow) usesWhere(pred func(*chanUse) bool) []*chanUse {
	var out []*chanUse
	for i := range f.uses {
		if pred(&f.uses[i]) {
			out = append(out, &f.uses[i])
		}
	}
	return out
}
