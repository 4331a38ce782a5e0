// Command noop is the cost floor for benchmarks: the singlechecker driver
// with an analyzer that does nothing. With -facts it declares a fact type,
// which makes the driver load and type-check every dependency from source,
// as it must for goroutineleak.
//
//	go run ./internal/cmd/noop [-facts] ./...
package main

import (
	"os"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/singlechecker"
)

type unused struct{}

func (*unused) AFact() {}

func nothing(*analysis.Pass) (any, error) { return nil, nil }

func main() {
	a := &analysis.Analyzer{Name: "noop", Doc: "do nothing: the cost of loading and type-checking", Run: nothing}
	if i := slices.Index(os.Args, "-facts"); i > 0 {
		os.Args = slices.Delete(os.Args, i, i+1)
		a.Name, a.FactTypes = "noopfacts", []analysis.Fact{new(unused)}
	}
	singlechecker.Main(a)
}
