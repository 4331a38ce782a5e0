// Package fix is stage 6 of the engine: for each verdict, the material of the suggested fixes
// that are certainly safe. A fix is offered only when it removes the leak
// and changes nothing else the program can observe; when that cannot be
// shown there is none (a wrong fix is worse than no fix). The material is
// code to insert or replace ([verdict.Fix]); the fix words its own message.
//
//	verdict                       fix
//	a send no receiver takes      a buffer for every send (make(chan T, n)),
//	                              or a select with ctx.Done() when the
//	                              abandoning path cancels ctx
//	a wait on a channel that      defer close(ch) in the function that holds
//	only a close releases         every close, when its early returns skip it
//	an endless loop, ctx unused   return when ctx is cancelled: a select case
//	                              on each blocking operation of the loop, or
//	                              a check at its top
//	an object dropped without     defer x.Stop() after the call that makes it
//	its release method
//	a send stranded by shutdown   a select case on the stop channel (closed,
//	                              never sent on), the channel the stop case
//	                              closes, or ctx.Done() the receiver returns
//	                              on; zero values where no caller reads them
//	a buffer filled before any    a buffer for every send made before
//	receiver can exist            anything else can have the channel
//
// Each family of fixes is a file (buffer.go, sendselect.go, deferclose.go,
// loopcontext.go, release.go, shutdownselect.go with shutdownzero.go,
// enlarge.go, calleeclose.go); edit.go holds the editing helpers, and
// fix.go the one dispatcher, [AddFixes].
package fix
