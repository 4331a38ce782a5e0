// Package goroutineleak defines an Analyzer that bundles recvleak, sendleak,
// loopleak, syncleak and testleak, for drivers of any kind: the standalone
// binary, go vet, golangci-lint, a multichecker of your own, nogo.
//
// It reports the patterns of the engine's table (internal/leak.Patterns),
// each of which a flag switches on or off: -recv (a goroutine blocked for
// ever on a receive), -send (blocked for ever on a send), -loop (a loop
// with no way out, or one that never checks its context), -sync (blocked
// for ever on a mutex, WaitGroup or Cond) and -testfail (a leak only when
// a test fails; off by default). A multichecker prefixes the flags with
// the analyzer's name: -goroutineleak.recv. New builds an Analyzer with
// other defaults, from a Config whose zero value is the default.
//
// Run it alone: with recvleak, sendleak, loopleak or syncleak in the same
// driver, each of their findings would be reported twice. All of them
// require the same engine analyzer, which runs once per package and
// declares the facts that carry what it learns across packages.
//
// It reports only what it can prove from the code it sees: a channel that
// reaches unknown code is never reported.
package goroutineleak
