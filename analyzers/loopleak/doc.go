// Package loopleak defines an Analyzer that reports goroutines that loop for ever.
//
// # Analyzer loopleak
//
// loopleak: report goroutines that loop for ever
//
// A goroutine whose loop has no condition and no way out (no return, no
// break or goto out of it, no panic, no call such as os.Exit or
// log.Fatal) never finishes; nor does one ranging over time.Tick or a
// ticker's channel without a way out. When a context.Context is in scope
// and the loop never mentions it, the report says so and offers a fix that
// returns when the context is cancelled:
//
//	go func() {
//		for { // goroutine never finishes: ... never checks ctx.Done() ...
//			work()
//		}
//	}()
//
// Goroutines started once per process (from main.main, an init function or
// a sync.Once) may run for ever and are not reported. A goroutine that runs
// a function of another package that loops for ever is reported at its go
// statement.
package loopleak
