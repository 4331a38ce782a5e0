// Command multichecker is an example of a driver of your own that runs
// goroutineleak next to other analyzers (here x/tools' lostcancel), as
// docs/integrations.md's "Use the analyzers in your own driver" shows. It is built
// and run by its test.
//
// A multichecker prefixes each analyzer's flags with the analyzer's name:
// the bundle's -loop is -goroutineleak.loop here, and -goroutineleak=false
// leaves goroutineleak out.
package main

import (
	"log"

	"github.com/goroutineleak/goroutineleak/analyzers/goroutineleak"
	"golang.org/x/tools/go/analysis/multichecker"
	"golang.org/x/tools/go/analysis/passes/lostcancel"
)

func main() {
	// The bundle alone: adding recvleak, sendleak, loopleak or syncleak to
	// the same driver would report each of their findings twice.
	leaks, err := goroutineleak.New(goroutineleak.Config{
		// By flag name; a pattern not named keeps its default, and the
		// command line (-goroutineleak.testfail=false) still has the
		// last word.
		Patterns: map[string]bool{"testfail": true},
	})
	if err != nil {
		log.Fatal(err)
	}
	multichecker.Main(leaks, lostcancel.Analyzer)
}
