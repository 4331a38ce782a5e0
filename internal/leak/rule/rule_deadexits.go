package rule

import (
	"go/ast"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/model"
	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// A loop whose only ways out are select cases that can never proceed: the
// commonest way to write a stop channel that nothing closes.
//
//	for {
//		select {
//		case <-t.C:
//			w.flush()
//		case <-w.quit: // nothing in the package closes quit
//			return
//		}
//	}
//
// The loop goes on serving its other cases, so the goroutine is neither
// blocked on the dead case (another case is live) nor in a loop without a
// way out (it has one, which never comes).

// deadExitVerdicts finds, in each goroutine's own code, the for loops
// without a condition that have a way out and whose every way out is in a
// select case that can never proceed.
func deadExitVerdicts(r *Input) []verdict.Verdict {
	var out []verdict.Verdict
	// A function started from many places is reported once, for the first
	// start that leaks: whether a way out comes can depend on the start (a
	// stop channel made again for it).
	reported := map[*ast.BlockStmt]bool{}
	for _, s := range r.Gs.List {
		body := s.Body
		if s.Shared != nil {
			// A closure started at several places: its way out can come
			// for one start (a stop channel closed) and not for a later
			// one (the channel made again).
			body = s.Shared.Body
		}
		if body == nil || s.ProcessLifetime || reported[body] {
			continue
		}
		before := len(out)
		labelled := map[*ast.ForStmt]string{}
		ast.Inspect(body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit, *ast.GoStmt:
				return false // another goroutine, or code that may never run
			case *ast.LabeledStmt:
				if loop, ok := n.Stmt.(*ast.ForStmt); ok {
					labelled[loop] = n.Label.Name
				}
			case *ast.ForStmt:
				if v, ok := deadExitLoop(r, s, n, labelled[n]); ok {
					out = append(out, v)
				}
			}
			return true
		})
		reported[body] = len(out) > before
	}
	return out
}

// deadExitLoop decides on one loop.
func deadExitLoop(r *Input, s *flow.Spawn, loop *ast.ForStmt, label string) (verdict.Verdict, bool) {
	if loop.Cond != nil {
		return verdict.Verdict{}, false
	}
	var exits []*ast.CommClause
	var dead []model.Deadness
	leaves, allDead := 0, true
	flow.EachLeave(r.Sum, loop.Body, label, func(leave ast.Node) bool {
		leaves++
		cc, d, ok := deadCaseAround(r, s, loop, leave)
		if !ok {
			allDead = false
			return false
		}
		if len(exits) == 0 || exits[len(exits)-1] != cc {
			exits, dead = append(exits, cc), append(dead, d)
		}
		return true
	})
	if leaves == 0 || !allDead {
		return verdict.Verdict{}, false
	}
	return verdict.Verdict{Pattern: pattern.EndlessLoop, At: loop, Spawn: s,
		Why: verdict.DeadExits{Loop: loop, Exits: exits, Dead: dead}}, true
}

// deadCaseAround finds, between leave and loop, a select case that can
// never proceed, and whose select can (a select that never proceeds is
// reported as such): then leave can never be reached.
func deadCaseAround(r *Input, s *flow.Spawn, loop *ast.ForStmt, leave ast.Node) (*ast.CommClause, model.Deadness, bool) {
	cur := r.X.CursorOf(leave)
	for c := cur.Parent(); c.Valid() && c.Node() != loop; c = c.Parent() {
		cc, ok := c.Node().(*ast.CommClause)
		if !ok {
			continue
		}
		d, dead := r.M.DeadCaseFor(cc, s)
		if !dead {
			continue
		}
		sel := c.Parent().Parent().Node().(*ast.SelectStmt)
		if _, never := deadSelectOf(r, s, sel); never {
			return nil, model.Deadness{}, false
		}
		return cc, d, true
	}
	return nil, model.Deadness{}, false
}
