package leakwatch

import (
	"fmt"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"
)

// node makes a heap the garbage collector has to trace.
type node struct {
	next *node
	pad  [6]*int
}

// heapSink keeps the benchmark's heap live.
var heapSink []*node

// BenchmarkDetection measures one detection (writing and parsing the
// goroutineleak profile, which runs a leak-detecting GC cycle) against a
// plain runtime.GC() on the same heap: each iteration runs both, one after
// the other, and the ratio is reported as detect/GC. The heap holds live
// linked nodes, 1,000 goroutines parked on a channel that stays reachable
// and 100 leaked goroutines.
//
//	GOTOOLCHAIN=go1.27.3 go test -run '^$' -bench Detection -benchtime 10x
func BenchmarkDetection(b *testing.B) {
	if pprof.Lookup("goroutineleak") == nil {
		b.Skip("no goroutineleak profile in this binary")
	}
	park := make(chan struct{})
	defer close(park)
	for range 1000 {
		go func() { <-park }()
	}
	leakSends(100)
	for _, mib := range []int{16, 128} {
		b.Run(fmt.Sprintf("heap=%dMiB", mib), func(b *testing.B) {
			n := mib << 20 / 64 // a node is 56 bytes, in a 64-byte size class
			heapSink = make([]*node, 0, n/1024)
			var prev *node
			for i := range n {
				prev = &node{next: prev}
				if i%1024 == 1023 { // chains of 1,024 nodes, which the GC's workers can share
					heapSink = append(heapSink, prev)
					prev = nil
				}
			}
			runtime.GC()
			var gc, detect time.Duration
			var leaked int
			for b.Loop() {
				start := time.Now()
				runtime.GC()
				mid := time.Now()
				_, total, err := detectSites(lookupProfile(), nil)
				detect += time.Since(mid)
				gc += mid.Sub(start)
				if err != nil {
					b.Fatal(err)
				}
				leaked = total
			}
			if leaked < 100 {
				b.Fatalf("the detection found %d leaked goroutines, want at least 100", leaked)
			}
			b.ReportMetric(float64(gc.Microseconds())/float64(b.N)/1000, "GC-ms/op")
			b.ReportMetric(float64(detect.Microseconds())/float64(b.N)/1000, "detect-ms/op")
			b.ReportMetric(float64(detect)/float64(gc), "detect/GC")
			heapSink = nil
		})
	}
}
