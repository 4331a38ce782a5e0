package syntax

import (
	"go/token"
)

// A span is a range of source to relate; its zero value is none.
type Span struct{ Pos, End token.Pos }
