// Package goroutineleak defines an Analyzer that bundles recvleak, sendleak
// and loopleak for drivers that take a single analyzer.
//
// It reports the patterns of the engine's table (internal/leak.Patterns),
// each of which a flag switches off: -recv (a goroutine blocked for ever on
// a receive), -send (blocked for ever on a send) and -loop (a loop with no
// way out, or one that never checks its context). It reports only what it
// can prove from the code it sees: a channel that reaches unknown code is
// never reported.
package goroutineleak
