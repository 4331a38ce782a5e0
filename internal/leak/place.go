package leak

import (
	"go/ast"
	"go/token"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/cfg"
)

// A place says in which function's code a position runs.
type place struct {
	owner    ast.Node // *ast.FuncDecl or a *ast.FuncLit that is not called on the spot
	deferred bool     // runs in a deferred call of owner
	inLoop   bool     // inside a loop of owner
}

// placeOf finds the function whose code runs at pos. Function literals that
// are called where they are written (func(){...}() and defer func(){...}())
// run as part of the function around them.
func (c *checker) placeOf(pos token.Pos) place {
	cur, ok := c.root().FindByPos(pos, pos)
	if !ok {
		return place{}
	}
	return c.placeAt(cur)
}

// placeAt is placeOf for a node whose cursor is at hand: it costs the
// depth of the node, where placeOf must first search for it.
func (c *checker) placeAt(cur inspector.Cursor) place {
	var p place
	pos := cur.Node().Pos()
	for enc := range cur.Enclosing() {
		switch n := enc.Node().(type) {
		case *ast.DeferStmt:
			p.deferred = true
		case *ast.ForStmt, *ast.RangeStmt:
			if enc.Node().Pos() != pos { // the range statement itself is not in its own loop
				p.inLoop = true
			}
		case *ast.FuncLit:
			if isCalledInPlace(enc) {
				continue
			}
			p.owner = n
			return p
		case *ast.FuncDecl:
			p.owner = n
			return p
		}
	}
	return p
}

// isCalledInPlace reports whether the literal at cur is the function of a
// call that is not a go statement.
func isCalledInPlace(cur inspector.Cursor) bool {
	call, ok := cur.Parent().Node().(*ast.CallExpr)
	if !ok || ast.Unparen(call.Fun) != cur.Node() {
		return false
	}
	_, isGo := cur.Parent().Parent().Node().(*ast.GoStmt)
	return !isGo
}

// spawnOf returns the goroutine that performs u, or nil.
func (c *checker) spawnOf(u *chanUse) *spawn {
	if u.via != nil {
		if s := c.spawnByNode[u.via]; s != nil && s.lit == nil {
			return s
		}
	}
	if owner := c.placeAt(u.at).owner; owner != nil {
		return c.spawnByNode[owner]
	}
	return nil
}

// cfgOf builds (once) the control-flow graph of a function of this
// package: only functions with a candidate leak need one.
func (c *checker) cfgOf(fn ast.Node) *cfg.CFG {
	if g, ok := c.cfgs[fn]; ok {
		return g
	}
	body := bodyOf(fn)
	if body == nil {
		return nil
	}
	if c.cfgs == nil {
		c.cfgs = make(map[ast.Node]*cfg.CFG)
	}
	g := cfg.New(body, func(call *ast.CallExpr) bool { return !c.neverReturns(call) })
	c.cfgs[fn] = g
	return g
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

func startedHere(s *spawn) analysis.RelatedInformation {
	end := s.start.Pos() + token.Pos(len("go"))
	if call, ok := s.start.(*ast.CallExpr); ok {
		end = call.Fun.End()
	}
	return analysis.RelatedInformation{Pos: s.start.Pos(), End: end, Message: "goroutine started here"}
}
