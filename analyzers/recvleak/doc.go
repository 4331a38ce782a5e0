// Package recvleak defines an Analyzer that reports goroutines that block for ever on a receive.
//
// The pattern, its documentation and its URL are a row of the engine's
// pattern table (internal/leak.Patterns); the README's recvleak section
// explains it with examples.
package recvleak
