package syncleak_test

import (
	"testing"

	"github.com/goroutineleak/goroutineleak/leaktest"
)

// TestMain fails the package if its tests leak goroutines: analysistest
// runs the analyzer in goroutines of its own.
func TestMain(m *testing.M) {
	leaktest.Main(m)
}
