package syncleak

import (
	"github.com/goroutineleak/goroutineleak/internal/leak"
)

// Analyzer reports goroutines that block for ever on a mutex, WaitGroup or
// Cond. Its documentation is the pattern's row of the engine's table.
var Analyzer = leak.NewAnalyzer(leak.SyncWait)
