package recv

// A tracker whose worker ranges over a field the package sends on but
// never closes (the shape of a watermark kept by a long-lived object):
// after the last mark, the worker waits for ever.
type tracker struct {
	marks chan int
	done  int
}

func (t *tracker) Init() {
	t.marks = make(chan int, 16)
	go t.process()
}

func (t *tracker) Mark(i int) { t.marks <- i }

func (t *tracker) process() {
	for m := range t.marks { // want `goroutine blocks for ever ranging over t.marks: nothing in package recv closes field marks, so the range over it never ends`
		t.done = m
	}
}

// Its twin closes the field in Close: silent.
type closingTracker struct {
	marks chan int
	done  int
}

func (t *closingTracker) Init() {
	t.marks = make(chan int, 16)
	go t.process()
}

func (t *closingTracker) Mark(i int) { t.marks <- i }

func (t *closingTracker) Close() { close(t.marks) }

func (t *closingTracker) process() {
	for m := range t.marks {
		t.done = m
	}
}

// A range that leaves on a sentinel value: silent.
type sentinelTracker struct {
	marks chan int
}

func (t *sentinelTracker) Init() {
	t.marks = make(chan int)
	go func() {
		for m := range t.marks {
			if m < 0 {
				return
			}
		}
	}()
}

func (t *sentinelTracker) Stop() { t.marks <- -1 }

// A worker started once per process, from init: silent.
var background = &tracker{marks: make(chan int)}

func init() {
	go func() {
		for range background.marks {
		}
	}()
}

func mark() { background.marks <- 1 }

// A package-level queue that every connection's serializer ranges over,
// and that nothing closes: each connection's goroutine outlives it.
var incoming = make(chan int, 100)

type conn struct{ last int }

func (c *conn) start() { go c.serialize() }

func (c *conn) serialize() {
	for v := range incoming { // want `goroutine blocks for ever ranging over incoming: nothing in package recv closes package variable incoming, so the range over it never ends`
		c.last = v
	}
}

func (c *conn) handle(v int) { incoming <- v }

// Its twin's queue is closed by stopJobs: silent.
var jobs = make(chan int)

func startJobs() {
	go func() {
		for range jobs {
		}
	}()
}

func addJob(j int) { jobs <- j }

func stopJobs() { close(jobs) }
