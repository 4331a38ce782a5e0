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
// run is a pipeline; each stage's result is an argument of the next:
//
//	stage            file                           result
//	1 index          index.go                       *index: declarations; per declaration, on demand,
//	                                                cursors, identifier mentions and CFGs; one walk of
//	                                                the package, only when a rule asks
//	2 summaries      summaries.go, uses.go,         *summaries: what each function does with its channel
//	                 sendcount.go, loops.go,        parameters (and how often it sends), loops for ever,
//	                 facts.go                       never returns; facts
//	3 goroutines     goroutines.go                  *goroutines: where goroutines start, what they run,
//	                                                which live as long as the process
//	4 channel model  channels.go                    *channelModel: every use of each channel a goroutine
//	                                                may wait on, tied to the goroutine that does it
//	  contracts      contracts.go,                  *contracts: release methods of the package's types,
//	                 contextcontracts.go            by channel field or stored cancel (facts)
//	  generators     generators.go                  functions returning a channel their goroutine
//	                                                feeds (facts)
//	5 rules          rule_channels.go,              []verdict: each rule decides and writes no text
//	                 rule_send.go, rule_bodies.go,
//	                 rule_locks.go, rule_sync.go,
//	                 rule_shutdown.go,
//	                 rule_overfill.go,
//	                 contracts.go, generators.go,
//	                 paths.go, directive.go
//	  lock model     locks.go                       per function, on demand: the locks held, or taken,
//	                                                at a point; a function's exits
//	  one target     callbacks.go                   the one function a call through a hook, parameter
//	                                                or sealed interface can run
//	  fixes          fixes.go, fixes_results.go     each verdict's certainly safe fixes, as code
//	6 report         report.go, directive.go        []Finding: messages, related positions, categories,
//	                                                URLs, fixes; directives applied
//
// A verdict (verdict.go) names the pattern, the blocking operation, the
// goroutine and a reason: a value of one type per cause, holding what the
// report needs to say why nothing will unblock the goroutine and which
// path abandons it.
//
// Work is per function and on demand: a package with no go statement costs
// one walk of its syntax; cursors, identifier indexes and control-flow
// graphs are built only for the declarations where a goroutine or a
// channel is followed.
package leak
