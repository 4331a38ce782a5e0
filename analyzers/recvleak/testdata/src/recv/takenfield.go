package recv

import "time"

// A meter averages a transfer's rate in a goroutine until Done closes
// exit. A transfer keeps its meter in a field; restarting the transfer
// takes the meter out, clears the field, and closes the meter's reader but
// not the meter.
type meter struct {
	exit chan struct{}
	rate float64
}

func newMeter() *meter {
	m := &meter{exit: make(chan struct{})}
	go m.average()
	return m
}

func (m *meter) average() {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			m.rate /= 2
		case <-m.exit:
			return
		}
	}
}

func (m *meter) Done()        { close(m.exit) }
func (m *meter) Close() error { return nil }

type transfer struct {
	m *meter
}

func (t *transfer) meter() *meter {
	if t.m == nil {
		t.m = newMeter()
	}
	return t.m
}

func (t *transfer) restart() {
	m := t.m
	t.m = nil // want `restart takes m out of field m and clears the field here, but never calls m.Done: the goroutine that newMeter starts leaks when m is dropped`
	if m != nil {
		_ = m.Close()
	}
}

// Silent: the meter taken out is done with.
func (t *transfer) finish() {
	m := t.m
	t.m = nil
	if m != nil {
		_ = m.Close()
		m.Done()
	}
}

// Silent: the meter is handed on, not dropped.
func (t *transfer) handOver(to *transfer) {
	m := t.m
	t.m = nil
	to.m = m
}
