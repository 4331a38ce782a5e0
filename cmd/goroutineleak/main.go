// Command goroutineleak reports goroutines that can never finish.
//
// Run it standalone:
//
//	goroutineleak ./...
//
// or as a vet tool:
//
//	go vet -vettool=$(which goroutineleak) ./...
//
// Flags -recv=false, -send=false and -loop=false switch a pattern off.
package main

import (
	"github.com/goroutineleak/goroutineleak/analyzers/goroutineleak"
	"golang.org/x/tools/go/analysis/singlechecker"
)

func main() { singlechecker.Main(goroutineleak.Analyzer) }
