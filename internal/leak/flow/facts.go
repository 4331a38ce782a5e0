package flow

import (
	"fmt"
	"go/types"
	"strings"
)

// LoopsForever is attached to a function whose body runs an endless loop
// (or calls a function that does) as one of its top-level statements, so a
// goroutine that runs it never finishes.
type LoopsForever struct {
	// IgnoresContext reports that the function has a context.Context in
	// hand and the loop never consults it.
	IgnoresContext bool
}

func (*LoopsForever) AFact() {}

func (f *LoopsForever) String() string {
	if f.IgnoresContext {
		return "loopsForever(ignoresContext)"
	}
	return "loopsForever"
}

// ChanParams summarises what a function does with each of its channel
// parameters, so callers in other packages can account for the channels they
// pass. Ops[i] is a set of paramOp bits for parameter i.
type ChanParams struct {
	Ops []paramOp
	// Sends[i], when Sends is not nil, is the most sends on parameter i
	// along one path of a call; manySends when a loop sends.
	Sends []uint8
}

// manySends is the Sends of a parameter sent on in a loop.
const ManySends = 255

func (*ChanParams) AFact() {}

func (f *ChanParams) String() string {
	parts := make([]string, len(f.Ops))
	for i, op := range f.Ops {
		parts[i] = op.String()
		switch n := f.Sends; {
		case i >= len(n) || n[i] <= 1:
		case n[i] == ManySends:
			parts[i] += " sends=many"
		default:
			parts[i] += fmt.Sprintf(" sends=%d", n[i])
		}
	}
	return "chanParams(" + strings.Join(parts, "; ") + ")"
}

// A paramOp is a set of things a function does with a channel parameter.
type paramOp uint8

const (
	paramRecv          paramOp = 1 << iota // receives from it, in a select or not
	paramSend                              // sends on it, in a select or not
	paramClose                             // closes it
	paramBlockingRecv                      // receives from it outside any select
	paramBlockingRange                     // ranges over it, with no way out of the loop but its close
	paramBlockingSend                      // sends on it outside any select
	paramEscapes                           // lets it reach code we cannot see
	paramInGoroutine                       // does all of it in one goroutine it starts, none in its own code
)

var paramOpNames = []string{"recv", "send", "close", "blockingRecv", "range", "blockingSend", "escapes", "inGoroutine"}

func (op paramOp) String() string {
	if op == 0 {
		return "-"
	}
	var names []string
	for i, name := range paramOpNames {
		if op&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return fmt.Sprintf("%#x", uint8(op))
	}
	return strings.Join(names, "|")
}

// NoReturn is attached to a function that never returns normally: its
// last statement ends the goroutine or the process (panic, os.Exit,
// log.Fatal, runtime.Goexit, or a function that never returns) and it has
// no return statement.
type NoReturn struct{}

func (*NoReturn) AFact() {}

func (*NoReturn) String() string { return "noReturn" }

// NilError is attached to a function whose last result is an error and
// whose every return statement gives nil for it: a call of it never
// fails, so a caller's return on its error never happens (memberlist's
// Shutdown, which logs a transport's failure and returns nil).
type NilError struct{}

func (*NilError) AFact() {}

func (*NilError) String() string { return "nilError" }

// ImportedLoop is what the facts say of fn, a function whose body is not
// here: whether it loops for ever, and then whether it ignores a context
// it is given.
func ImportedLoop(sum *Summaries, fn *types.Func) (LoopsForever, bool) {
	var fact LoopsForever
	ok := sum.pass.ImportObjectFact(fn, &fact)
	return fact, ok
}
