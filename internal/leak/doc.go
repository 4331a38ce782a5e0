// Package leak holds the analysis shared by the goroutineleak analyzers.
//
// One analyzer, [Analyzer], finds every goroutine a package starts, works out
// which channels each one waits on and who else can send to, receive from or
// close them, and produces a list of [Finding]s tagged by [Pattern]. The
// public analyzers (recvleak, sendleak, loopleak and the goroutineleak
// bundle) require it and report the findings of their own pattern, so the
// work is done once per package however many of them run.
//
// The analysis is syntactic plus types: channel identity is a local variable
// (or an unexported struct field) and its every use is classified. Any use
// the analysis cannot account for (the channel is stored, returned, passed to
// unknown code) makes it give up on that channel: it reports only what it
// can prove from the code it sees.
package leak
