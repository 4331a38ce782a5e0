package model

import (
	"fmt"
	"go/ast"
	"go/types"
	"slices"
	"sort"
	"strings"

	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"golang.org/x/tools/go/ast/inspector"
)

// ReleaseMethods lists the methods of named, other than the starter, that
// close or send on one of the fields, provided nothing else does.
func ReleaseMethods(x *syntax.Index, m *Channels, named *types.Named, fields map[*types.Var]bool, starter *types.Func) []string {
	return releaseMethods(x, m, named, fields, starter, false)
}

// CloseMethods lists the methods of named, other than the starter, that
// close one of the fields, provided nothing else does: the release of a
// goroutine that leaves its loop only when a receive from a field tells
// that the field is closed.
func CloseMethods(x *syntax.Index, m *Channels, named *types.Named, fields map[*types.Var]bool, starter *types.Func) []string {
	return releaseMethods(x, m, named, fields, starter, true)
}

func releaseMethods(x *syntax.Index, m *Channels, named *types.Named, fields map[*types.Var]bool, starter *types.Func, closeOnly bool) []string {
	ids := make([]string, 0, len(fields))
	for f := range fields {
		ids = append(ids, fmt.Sprintf("%p", f))
	}
	sort.Strings(ids)
	key := releaseKey{named: named, fields: strings.Join(ids, " "), closeOnly: closeOnly}
	rel, ok := m.releaseMemo[key]
	if !ok {
		rel = computeRelease(x, m, named, fields, closeOnly)
		if m.releaseMemo == nil {
			m.releaseMemo = make(map[releaseKey]*release)
		}
		m.releaseMemo[key] = rel
	}
	switch {
	case rel == nil || rel.direct[starter]:
		return nil // released by other code, or by the starter: no contract to infer
	case starter == nil || !slices.Contains(rel.methods, starter.Name()):
		return rel.methods
	}
	// The starter calls a release method: the closure without it.
	set := map[string]bool{}
	for f := range rel.direct {
		set[f.Name()] = true
	}
	return ClosedSet(x, named, set, starter)
}

// A release is what releaseMethods finds for a type and its fields, for
// any starter: the methods that send on or close them, and the methods
// that call those on their receiver.
type release struct {
	direct  map[*types.Func]bool
	methods []string // sorted
}

type releaseKey struct {
	named     *types.Named
	fields    string // the fields' identities, sorted
	closeOnly bool
}

func computeRelease(x *syntax.Index, m *Channels, named *types.Named, fields map[*types.Var]bool, closeOnly bool) *release {
	rel := &release{direct: map[*types.Func]bool{}}
	set := map[string]bool{}
	for f := range fields {
		methods, ok := m.releasers(f, named, closeOnly)
		if !ok {
			return nil
		}
		for _, method := range methods {
			if method == nil {
				return nil // released by other code: no contract to infer
			}
			rel.direct[method] = true
			set[method.Name()] = true
		}
	}
	rel.methods = ClosedSet(x, named, set, nil)
	return rel
}

// ClosedSet closes set over calls (see CloseOverCalls) and sorts it.
func ClosedSet(x *syntax.Index, named *types.Named, set map[string]bool, starter *types.Func) []string {
	CloseOverCalls(x, named, set, starter)
	methods := make([]string, 0, len(set))
	for m := range set {
		methods = append(methods, m)
	}
	sort.Strings(methods)
	return methods
}

// CloseOverCalls adds to set the methods of named that call a method in
// set on their receiver (Run calling start, Close calling stop), until
// nothing changes.
func CloseOverCalls(x *syntax.Index, named *types.Named, set map[string]bool, starter *types.Func) {
	callers := x.ReceiverCallers(named)
	var queue []string
	for name := range set {
		queue = append(queue, name)
	}
	for len(queue) > 0 {
		name := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		for _, caller := range callers[name] {
			if set[caller.Name.Name] || starter != nil && caller == x.Decls[starter] {
				continue
			}
			set[caller.Name.Name] = true
			queue = append(queue, caller.Name.Name)
		}
	}
}

// MethodAround is the method of named whose body holds pos, or nil.
func MethodAround(info *types.Info, cur inspector.Cursor, named *types.Named) *types.Func {
	for enc := range cur.Enclosing((*ast.FuncDecl)(nil)) {
		decl := enc.Node().(*ast.FuncDecl)
		fn, ok := info.Defs[decl.Name].(*types.Func)
		if !ok || decl.Recv == nil || !syntax.IsMethodOfNamed(fn, named) {
			return nil
		}
		return fn
	}
	return nil
}
