// Package recvleak defines an Analyzer that reports goroutines that block for ever on a receive.
//
// The pattern, its documentation and its URL are a row of the engine's
// pattern table (internal/leak.Patterns); docs/patterns.md's recvleak section
// explains it with examples.
//
// Use it, with the other per-pattern analyzers, instead of the bundle
// (analyzers/goroutineleak), not next to it: a driver that runs both
// reports each finding twice.
package recvleak
