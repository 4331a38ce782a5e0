package pattern

// A Pattern is one kind of report.
type Pattern int

const (
	UnguardedRecv Pattern = iota // recvleak
	UnreadSend                   // sendleak
	EndlessLoop                  // loopleak
	SyncWait                     // syncleak: a wait on a mutex, WaitGroup or Cond
	TestFailure                  // testleak: leaks only when a test fails
	BadDirective                 // a //goroutineleak:ignore without a reason
)

// Info is one row of [Patterns]: everything the analyzers, the
// bundle's flags, the golangci-lint plugin's settings and the reports say
// about a pattern.
type Info struct {
	Pattern Pattern
	// Name is the per-pattern analyzer's name and the Category of its
	// diagnostics.
	Name string
	// Flag is the bundle's flag and the golangci-lint setting that switch
	// the pattern off; "" for a pattern that cannot be switched off.
	Flag string
	// Anchor is the section of docs/patterns.md that explains the pattern.
	Anchor string
	// Summary is one line: the flag's usage and the head of the doc.
	Summary string
	// OffByDefault marks a pattern reported only when its flag asks.
	OffByDefault bool
	// Doc is the rest of the analyzer's documentation.
	Doc string
}

// Patterns is the table of patterns, in the order of their flags. A new
// pattern is a new row (and a package under analyzers/ for its analyzer).
var Patterns = []Info{
	{
		Pattern: UnguardedRecv,
		Name:    "recvleak",
		Flag:    "recv",
		Anchor:  "recvleak",
		Summary: "report goroutines that block for ever on a receive",
		Doc: `A goroutine that receives from a channel (<-ch, v, ok := <-ch, for range
ch, or a select none of whose cases can proceed) waits for ever when
nothing will send to or close that channel. The analyzer reports such a
receive when it can see every sender and closer of the channel:

	ch := make(chan int)
	go func() {
		v := <-ch // goroutine blocks for ever receiving from ch: ...
		use(v)
	}()
	if err != nil {
		return err // ... returns here without sending to or closing ch
	}
	ch <- 1

It also reports a range over a channel that nothing closes (a local, or
an unexported field or package-level channel), receives
from nil channels, from ctx.Done() of context.Background() or TODO(), and
from an unexported struct field that nothing in the package sends to or
closes, selects none of whose cases can ever proceed, and callers that
drop an object whose goroutine only one of its methods (Stop, Close)
releases.

A channel that reaches code the analyzer cannot see (stored, returned,
passed to an unknown function) is never reported.`,
	},
	{
		Pattern: UnreadSend,
		Name:    "sendleak",
		Flag:    "send",
		Anchor:  "sendleak",
		Summary: "report goroutines that block for ever on a send",
		Doc: `A goroutine that sends on a channel waits for ever once its reader has
gone. The analyzer reports a send when the function that started the
goroutine, and is its only reader, can return without receiving: an
early return, or a select that takes a timeout or ctx.Done() case:

	ch := make(chan result)
	go func() { ch <- fetch() }() // goroutine blocks for ever sending on unbuffered channel ch: ...
	select {
	case r := <-ch:
		return r, nil
	case <-time.After(time.Second):
		return result{}, errTimeout
	}

It also reports goroutines started in a loop that send on an unbuffered
channel received only a fixed number of times (also when the one
goroutine the receiver starts starts them), a hook installed in a field
that a goroutine's event loop calls once per event and that sends on an
unbuffered channel its installer receives only a fixed number of times,
a goroutine that sends more values than are received (or sends on every
round of a loop that a ticker paces, and that its parent stops only
between rounds after a fixed number of receives), and a producer whose
consumer can stop
ranging early, and a goroutine's send on an unexported field whose every
reader, a select, can give up for good (a struct's context is done, a
stop field is closed). A buffer large enough for every send that can be left
pending makes a send safe, and a buffer whose size is only known at run
time is assumed to be large enough.`,
	},
	{
		Pattern: EndlessLoop,
		Name:    "loopleak",
		Flag:    "loop",
		Anchor:  "loopleak",
		Summary: "report goroutines that loop for ever",
		Doc: `A goroutine whose loop has no condition and no way out (no return, no
break or goto out of it, no panic, no call such as os.Exit or
log.Fatal) never finishes; nor does one ranging over time.Tick or a
ticker's channel without a way out. When a context.Context is in scope
and the loop never mentions it, the report says so and offers a fix that
returns when the context is cancelled (a select case on each blocking
operation of the loop, or a check at its top):

	go func() {
		for { // goroutine never finishes: ... never checks ctx.Done() ...
			work()
		}
	}()

A loop whose only ways out are select cases that can never proceed (a
stop field nothing closes, ctx.Done() of context.Background()), while
its other cases go on, never finishes either.

Goroutines started once per process (from main.main, an init function or
a sync.Once) may run for ever and are not reported. A goroutine that runs
a function of another package that loops for ever is reported at its go
statement.`,
	},
	{
		Pattern: SyncWait,
		Name:    "syncleak",
		Flag:    "sync",
		Anchor:  "syncleak",
		Summary: "report goroutines that block for ever on a mutex, WaitGroup or Cond",
		Doc: `A goroutine that waits on a sync primitive waits for ever when nothing
will release it. The analyzer reports wg.Wait() on a WaitGroup that is
added to and that nothing in the package calls Done (or Go) on, c.Wait()
on a sync.Cond that nothing in the package signals or broadcasts to, and
x.Lock() in a goroutine started after a method of x that can return
leaving that lock held:

	wg.Add(1)
	go func() {
		wg.Wait() // goroutine blocks for ever in wg.Wait(), so it never runs close(out): nothing in package p calls wg.Done
		close(out)
	}()

Such a goroutine is blocked neither on a receive nor on a send, so the
pattern has a flag of its own: switching receive reports off does not
hide it. A WaitGroup or Cond passed on, whose address is taken, or a
non-constant Add is out of sight and never reported.`,
	},
	{
		Pattern:      TestFailure,
		Name:         "testleak",
		Flag:         "testfail",
		Anchor:       "test-failure-paths",
		Summary:      "report goroutines that leak only when their test fails (t.Fatal, t.Skip, require)",
		OffByDefault: true,
		Doc: `t.Fatal, t.FailNow, t.Skip and testify's require functions end a test's
goroutine (runtime.Goexit) just as return ends a function. A goroutine
whose only reader comes after such a call blocks for ever when the test
fails there:

	errc := make(chan error)
	go func() { errc <- srv.Serve() }() // blocks for ever ... when the test fails
	if err := dial(); err != nil {
		t.Fatal(err)
	}
	<-errc

Such leaks only happen in failing tests, which end anyway, and most test
suites have many: the pattern is off unless its flag asks for it. A buffer,
a deferred drain or a drain in t.Cleanup is the fix.`,
	},
	{
		Pattern: BadDirective,
		Name:    "directive",
		Anchor:  "suppressing-a-report",
		Summary: "report //goroutineleak:ignore directives without a reason",
	},
}

// Info is the pattern's row of [Patterns].
func (p Pattern) Info() Info {
	for _, row := range Patterns {
		if row.Pattern == p {
			return row
		}
	}
	panic("leak: pattern without a row in Patterns")
}

// Category is the Diagnostic.Category of the pattern's reports.
func (p Pattern) Category() string { return p.Info().Name }

// DocsURL is the page that explains every pattern, a section each.
const DocsURL = "https://github.com/goroutineleak/goroutineleak/blob/main/docs/patterns.md"

// URL points at the section of DocsURL that explains the pattern.
func (p Pattern) URL() string {
	return DocsURL + "#" + p.Info().Anchor
}

// FullDoc is the analyzer documentation of the pattern: its summary on
// the first line (drivers print the analyzer's name before it), then the
// details.
func (info Info) FullDoc() string {
	return info.Summary + "\n\n" + info.Doc
}
