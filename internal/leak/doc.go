// Package leak holds the analysis shared by the goroutineleak analyzers.
//
// One analyzer, [Analyzer], finds every goroutine a package starts, works out
// which channels each one waits on and who else can send to, receive from or
// close them, and produces a list of [Finding]s tagged by [Pattern]. The
// public analyzers (recvleak, sendleak, loopleak, syncleak and the
// goroutineleak bundle) require it and report the findings of their own
// pattern, so the work is done once per package however many of them run.
// [Patterns] is the table that describes each pattern: its analyzer, flag,
// URL and doc.
//
// The analysis is syntactic plus types: channel identity is a local variable
// (or an unexported struct field) and its every use is classified. Any use
// the analysis cannot account for (the channel is stored, returned, passed to
// unknown code) makes it give up on that channel: it reports only what it
// can prove from the code it sees.
//
// # Stages
//
// run is a pipeline; each stage is a package, and its result is an
// argument of the next. A package imports only the stages above it in
// this table:
//
//	package      stage                 result
//	pattern      the table of patterns Patterns: name, flag, URL, doc of each kind of report
//	syntax       1 index               *syntax.Index: declarations; per declaration, on demand,
//	                                   cursors, identifier mentions and CFGs; the shared
//	                                   predicates and API knowledge (context, testing)
//	flow         2 summaries           *flow.Summaries: what each function does with its channel
//	                                   parameters (and how often it sends), loops for ever,
//	                                   never returns; facts
//	             3 goroutines          *flow.Goroutines: where goroutines start, what they run,
//	                                   which live as long as the process
//	model        4 models              *model.Channels: every use of each channel a goroutine
//	                                   may wait on, tied to the goroutine that does it; on
//	                                   demand: release sets, escape paths, locks, sync uses,
//	                                   one-target calls
//	contract     inference             *contract.Contracts: release methods of the package's
//	                                   types (facts); generators (facts)
//	verdict      vocabulary            verdict.Verdict and one Reason type per cause, each
//	                                   wording itself
//	rule         5 rules               []verdict.Verdict: rule.All, each rule a row and a file
//	fix          6 fixes               each verdict's certainly safe fixes, as code
//	leak         7 report              []Finding: related positions, categories, URLs, fixes;
//	                                   //goroutineleak:ignore directives applied
//
// A new rule is a file in package rule and a row in rule.All, a reason
// type in package verdict with its Word method, and, when a fix is
// certainly safe, a file in package fix.
//
// Work is per function and on demand: a package with no go statement costs
// one walk of its syntax; cursors, identifier indexes and control-flow
// graphs are built only for the declarations where a goroutine or a
// channel is followed.
package leak
