package loopleak

import (
	"github.com/goroutineleak/goroutineleak/internal/leak"
)

// Analyzer reports goroutines that loop for ever. Its documentation is
// the pattern's row of the engine's table.
var Analyzer = leak.NewAnalyzer(leak.EndlessLoop)
