// Package goroutineleak defines an Analyzer that bundles recvleak, sendleak
// and loopleak for drivers that take a single analyzer.
//
// # Analyzer goroutineleak
//
// goroutineleak: report goroutines that can never finish
//
// It reports three patterns, each of which can be switched off by a flag:
//
//   - -recv: a goroutine blocked for ever on a receive, because nothing
//     will send to or close the channel on some path (see recvleak);
//   - -send: a goroutine blocked for ever on a send, because its reader
//     can go away (see sendleak);
//   - -loop: a goroutine whose loop has no way out, or has a context in
//     hand and never checks it (see loopleak).
//
// It reports only what it can prove from the code it sees: a channel that
// reaches unknown code is never reported.
package goroutineleak
