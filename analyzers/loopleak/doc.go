// Package loopleak defines an Analyzer that reports goroutines that loop for ever.
//
// The pattern, its documentation and its URL are a row of the engine's
// pattern table (internal/leak.Patterns); the README's loopleak section
// explains it with examples.
package loopleak
