// Package flow is stages 2 and 3 of the engine: what each function does
// with channels, and the goroutines the package starts.
//
// [Summaries] (summaries.go) say what a function does with its channel
// parameters and how often it sends (sendcount.go), whether it loops for
// ever (loops.go) and whether it never returns; they are exported as facts
// (facts.go). uses.go classifies every use of a channel variable.
// [Goroutines] (goroutines.go) are the package's go statements and
// wg.Go / g.Go calls, what each runs, and which live as long as the
// process.
package flow
