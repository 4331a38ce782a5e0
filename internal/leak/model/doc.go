// Package model is stage 4 of the engine: the models the rules ask about,
// each built on demand and each keeping its own memos.
//
//	channels.go   Channels: every channel a goroutine may wait on, each use
//	              tied to the goroutine that makes it; which case of a select
//	              can never be ready (deadness.go)
//	release.go    the methods that release a field: close it or send on it
//	paths.go      escape paths: how a function can return without the
//	              operation that would release a goroutine
//	locks.go      Locks: the locks held, or taken, at a point; a
//	              function's exits
//	sync.go       Sync: partner locks of a field, locks left held,
//	              uses of WaitGroups and Conds
//	targets.go    Targets: the one function a call through a hook, a
//	              parameter or a sealed interface can run
package model
