package fix

import (
	"go/ast"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/model"
	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/internal/leak/rule"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// AddFixes attaches to each verdict the fixes that are certainly safe.
func AddFixes(r *rule.Input, verdicts []verdict.Verdict) {
	var uses map[ast.Node]useOf
	buffers := map[*flow.ChanFlow]*verdict.Fix{} // one buffer fix serves every send on a channel
	for i := range verdicts {
		v := &verdicts[i]
		if generated(r.X, v.At) {
			continue
		}
		switch why := v.Why.(type) {
		case verdict.EndlessLoop:
			if why.Ctx != nil {
				v.Fixes = appendFix(v.Fixes, loopFix(r.X, v.Spawn, why.Loop, why.Ctx, why.Via))
			}
		case verdict.ContractDropped:
			v.Fixes = appendFix(v.Fixes, releaseFix(r.X, v.At, why))
		case verdict.ContractDiscarded:
			v.Fixes = appendFix(v.Fixes, discardedFix(r.X, v.At, why))
		case verdict.NeverClosed:
			if uses == nil {
				uses = localUses(r)
			}
			if uo, ok := uses[v.At]; ok && uo.use.Kind == flow.OpRange && waitsOnNothing(r.X, uo.local.Owner, uo.local.Flow.V) {
				v.Fixes = appendFix(v.Fixes, closeFix(r.X, uo.local.Owner, uo.local.Flow, true))
			}
		case verdict.NoPartner:
			if uses == nil {
				uses = localUses(r)
			}
			if uo, ok := uses[v.At]; ok && uo.use.Kind.Receives() {
				v.Fixes = appendFix(v.Fixes, calleeCloseFix(r, uo))
			}
		case verdict.AfterShutdown:
			v.Fixes = appendFix(v.Fixes, shutdownSelectFix(r, v.At, why))
		case verdict.Overfilled:
			v.Fixes = appendFix(v.Fixes, enlargeFix(r, why))
			continue
		case verdict.HookSends:
			continue // a buffer sized for a count of events nobody knows would only hide it
		case verdict.SkippedRelease, verdict.Abandoned:
			if uses == nil {
				uses = localUses(r)
			}
			uo, ok := uses[v.At]
			if !ok {
				continue
			}
			switch {
			case uo.use.Kind.Receives() && v.Spawn != nil && v.Spawn.Lit != nil && isSkipped(why):
				v.Fixes = appendFix(v.Fixes, deferCloseFix(r.X, v.Spawn.Lit, uo.local.Flow))
			case uo.use.Kind.Receives():
				v.Fixes = appendFix(v.Fixes, deferCloseFix(r.X, uo.local.Owner, uo.local.Flow))
			}
		}
		if v.Pattern != pattern.UnreadSend && v.Pattern != pattern.TestFailure {
			continue
		}
		if uses == nil {
			uses = localUses(r)
		}
		uo, ok := uses[v.At]
		if !ok || uo.use.Kind != flow.OpSend {
			continue
		}
		f, done := buffers[uo.local.Flow]
		if !done {
			f = bufferFix(r, uo)
			buffers[uo.local.Flow] = f
		}
		v.Fixes = appendFix(v.Fixes, f)
		v.Fixes = appendFix(v.Fixes, sendSelectFix(r, uo, v.Why))
	}
}

func isSkipped(why verdict.Reason) bool {
	_, ok := why.(verdict.SkippedRelease)
	return ok
}

func appendFix(fixes []*verdict.Fix, f *verdict.Fix) []*verdict.Fix {
	if f == nil {
		return fixes
	}
	return append(fixes, f)
}

// A useOf is a use of a local channel, with the channel and its owner.
type useOf struct {
	use   *flow.ChanUse
	local model.LocalChan
}

// localUses indexes the uses of local channels by node.
func localUses(r *rule.Input) map[ast.Node]useOf {
	out := map[ast.Node]useOf{}
	for _, l := range r.M.Locals {
		for i := range l.Flow.Uses {
			u := &l.Flow.Uses[i]
			out[u.Node] = useOf{u, l}
		}
	}
	return out
}
