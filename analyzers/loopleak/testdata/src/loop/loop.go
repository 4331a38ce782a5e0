// Package loop holds loops in goroutines: each must-flag case is followed
// by correct twins that must stay silent.
package loop

import (
	"context"
	"log"
	"os"
	"sync"
	"time"
)

func work() bool { return true }

// --- no way out ---

func forever() {
	go func() {
		for { // want `goroutine never finishes: this for loop has no condition and nothing in it returns, breaks out or calls panic`
			work()
		}
	}()
}

func forTrue() {
	go func() {
		for true { // want `goroutine never finishes: this for loop has no condition`
			work()
		}
	}()
}

func withReturn() {
	go func() {
		for {
			if !work() {
				return
			}
		}
	}()
}

func withBreak() {
	go func() {
		for {
			if !work() {
				break
			}
		}
	}()
}

func withLabelledBreak(quit chan struct{}) {
	go func() {
	loop:
		for {
			select {
			case <-quit:
				break loop
			default:
				work()
			}
		}
	}()
}

func breakOnlyLeavesSelect(tick <-chan time.Time) {
	go func() {
		for { // want `goroutine never finishes: this for loop has no condition`
			select {
			case <-tick:
				break // leaves the select, not the loop
			}
		}
	}()
}

func withCondition(n int) {
	go func() {
		for i := 0; i < n; i++ {
			work()
		}
	}()
}

func withPanic() {
	go func() {
		for {
			if !work() {
				panic("stop")
			}
		}
	}()
}

func withExit() {
	go func() {
		for {
			if !work() {
				os.Exit(1)
			}
		}
	}()
	go func() {
		for {
			if !work() {
				log.Fatal("stop")
			}
		}
	}()
}

// --- ranging over ticks ---

func ticks() {
	go func() {
		for range time.Tick(time.Second) { // want `goroutine never finishes: ranging over time.Tick\(time.Second\) never ends`
			work()
		}
	}()
	t := time.NewTicker(time.Second)
	go func() {
		for range t.C { // want `goroutine never finishes: ranging over t.C never ends`
			work()
		}
	}()
}

func ticksWithStop(stop chan struct{}) {
	t := time.NewTicker(time.Second)
	go func() {
		defer t.Stop()
		for {
			select {
			case <-t.C:
				work()
			case <-stop:
				return
			}
		}
	}()
}

// --- named functions and methods ---

type poller struct{}

func (p *poller) Start() {
	go p.loop()
}

func (p *poller) loop() {
	for { // want `goroutine never finishes: this for loop has no condition`
		work()
	}
}

type server struct{ quit chan struct{} }

func (s *server) Start() {
	go s.serve()
}

func (s *server) serve() {
	for {
		select {
		case <-s.quit:
			return
		default:
			work()
		}
	}
}

func (s *server) Stop() { close(s.quit) }

type relay struct{}

func (r *relay) run() {
	r.pump()
}

func (r *relay) pump() {
	for { // want `goroutine never finishes: this for loop has no condition`
		work()
	}
}

func (r *relay) Start() {
	go func() {
		r.run()
	}()
}

// --- started once per process: may run for ever ---

func init() {
	go func() {
		for {
			work()
		}
	}()
}

var once sync.Once

func startOnce() {
	once.Do(func() {
		go func() {
			for {
				work()
			}
		}()
	})
}

// Not a goroutine: loops in the caller's own goroutine are its business.
func inline() {
	for {
		work()
	}
}

// A loop that checks ctx some other way than Done.
func ctxErr(ctx context.Context) {
	go func() {
		for {
			if ctx.Err() != nil {
				return
			}
			work()
		}
	}()
}
