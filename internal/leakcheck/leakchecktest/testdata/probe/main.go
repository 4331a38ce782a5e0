// Command probe says whether the toolchain that built it has the
// goroutineleak profile: it prints "yes" or "no".
package main

import (
	"fmt"
	"runtime/pprof"
)

func main() {
	if pprof.Lookup("goroutineleak") != nil {
		fmt.Println("yes")
	} else {
		fmt.Println("no")
	}
}
