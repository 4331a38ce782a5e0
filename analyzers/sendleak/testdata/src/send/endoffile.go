package send

// The implicit return at the end of the last function of a file: its
// related position must end in this file.
func lastInFile(fail bool) {
	ch := make(chan int)
	go func() { ch <- 1 }() // want `goroutine blocks for ever sending on unbuffered channel ch: lastInFile can return without receiving from ch`
	if fail {
		<-ch
	}
}
