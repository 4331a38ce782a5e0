package model

import (
	"fmt"
	"go/ast"

	"golang.org/x/tools/go/analysis"

	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
)

// String words why a channel can never be ready.
func (d Deadness) String() string {
	switch d.Kind {
	case deadNil:
		if d.Channel == "" {
			return "the channel is nil"
		}
		return d.Channel + " is nil"
	case deadNeverDone:
		return fmt.Sprintf("%s is context.%s(), which is never cancelled", d.Channel, d.Detail)
	case deadField:
		return fmt.Sprintf("nothing in package %s sends to or closes field %s", d.Detail, d.Channel)
	case deadNoReceiver:
		return "nothing receives from " + d.Channel
	case deadFieldNoReceiver:
		return fmt.Sprintf("nothing in package %s receives from field %s", d.Detail, d.Channel)
	case DeadFieldFills:
		return fmt.Sprintf("nothing in package %s receives from field %s, so once its buffer is full this send, made again and again, waits for ever", d.Detail, d.Channel)
	case deadFresh:
		return "the channel is made here, so nothing else can reach it"
	default:
		return "nothing sends to or closes " + d.Channel
	}
}

// returnHere relates the return of an escape path: the closing brace
// alone for the return at the end of a body.
func (p *EscapePath) ReturnHere(msg string) analysis.RelatedInformation {
	rel := syntax.Related(p.Exit, msg)
	if ret, ok := p.Exit.(*ast.ReturnStmt); ok && p.Implicit {
		rel.End = ret.Return + 1
	}
	return rel
}
