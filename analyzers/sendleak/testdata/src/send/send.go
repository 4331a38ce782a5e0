// Package send holds sends in goroutines: each must-flag case is followed
// by correct twins that must stay silent.
package send

import (
	"context"
	"errors"
	"sync"
	"time"
)

type result struct{ n int }

func fetch() result   { return result{} }
func fetchErr() error { return nil }

var errTimeout = errors.New("timeout")

// --- nothing receives ---

func noReader() {
	ch := make(chan int)
	go func() {
		ch <- 1 // want `goroutine blocks for ever sending on unbuffered channel ch: nothing receives from ch`
	}()
}

func noReaderBuffered() {
	ch := make(chan int, 1)
	go func() { ch <- 1 }() // the buffer takes the one value
}

func noReaderBufferTooSmall() {
	ch := make(chan int, 1)
	go func() {
		ch <- 1
		ch <- 2 // want `goroutine blocks for ever sending on ch: nothing receives from ch`
	}()
}

// --- the reader returns early ---

func earlyReturn(fail bool) (result, error) {
	ch := make(chan result)
	go func() {
		ch <- fetch() // want `goroutine blocks for ever sending on unbuffered channel ch: earlyReturn can return without receiving from ch`
	}()
	if fail {
		return result{}, errors.New("failed")
	}
	return <-ch, nil
}

func earlyReturnBuffered(fail bool) (result, error) {
	ch := make(chan result, 1)
	go func() { ch <- fetch() }()
	if fail {
		return result{}, errors.New("failed")
	}
	return <-ch, nil
}

func earlyReturnAfterReceive(fail bool) (result, error) {
	ch := make(chan result)
	go func() { ch <- fetch() }()
	r := <-ch
	if fail {
		return result{}, errors.New("failed")
	}
	return r, nil
}

// --- the reader takes a timeout or ctx.Done() instead ---

func FetchWithTimeout() (result, error) {
	out := make(chan result)
	go func() {
		out <- fetch() // want `goroutine blocks for ever sending on unbuffered channel out: FetchWithTimeout can return through the time.After case without receiving from out`
	}()
	select {
	case r := <-out:
		return r, nil
	case <-time.After(time.Second):
		return result{}, errTimeout
	}
}

func FetchWithContext(ctx context.Context) (result, error) {
	out := make(chan result)
	go func() {
		out <- fetch() // want `goroutine blocks for ever sending on unbuffered channel out: FetchWithContext can return through the ctx.Done\(\) case without receiving from out`
	}()
	select {
	case r := <-out:
		return r, nil
	case <-ctx.Done():
		return result{}, ctx.Err()
	}
}

func FetchWithTimer() (result, error) {
	out := make(chan result)
	t := time.NewTimer(time.Second)
	defer t.Stop()
	go func() {
		out <- fetch() // want `goroutine blocks for ever sending on unbuffered channel out: FetchWithTimer can return through the t.C case without receiving from out`
	}()
	select {
	case r := <-out:
		return r, nil
	case <-t.C:
		return result{}, errTimeout
	}
}

func FetchWithTimeoutBuffered() (result, error) {
	out := make(chan result, 1)
	go func() { out <- fetch() }()
	select {
	case r := <-out:
		return r, nil
	case <-time.After(time.Second):
		return result{}, errTimeout
	}
}

func FetchGivingUp(ctx context.Context) (result, error) {
	out := make(chan result)
	go func() {
		select {
		case out <- fetch():
		case <-ctx.Done():
		}
	}()
	select {
	case r := <-out:
		return r, nil
	case <-ctx.Done():
		return result{}, ctx.Err()
	}
}

func FetchWithDefault() (result, error) {
	out := make(chan result)
	go func() {
		out <- fetch() // want `goroutine blocks for ever sending on unbuffered channel out: FetchWithDefault can return through the default case without receiving from out`
	}()
	select {
	case r := <-out:
		return r, nil
	default:
		return result{}, errTimeout
	}
}

// --- N senders, fewer receives ---

func firstResponse(urls []string) result {
	ch := make(chan result)
	for range urls {
		go func() {
			ch <- fetch() // want `goroutines started in a loop block for ever sending on unbuffered channel ch: firstResponse receives from it only once`
		}()
	}
	return <-ch
}

func firstResponseBuffered(urls []string) result {
	ch := make(chan result, len(urls))
	for range urls {
		go func() { ch <- fetch() }()
	}
	return <-ch
}

func allResponses(urls []string) []result {
	ch := make(chan result)
	for range urls {
		go func() { ch <- fetch() }()
	}
	var out []result
	for range urls {
		out = append(out, <-ch)
	}
	return out
}

func twoOfTwo() (result, result) {
	ch := make(chan result)
	for i := 0; i < 2; i++ {
		go func() { ch <- fetch() }()
	}
	return <-ch, <-ch
}

func threeOfTwo() result {
	ch := make(chan result)
	for i := 0; i < 3; i++ {
		go func() {
			ch <- fetch() // want `goroutines started in a loop block for ever sending on unbuffered channel ch: threeOfTwo receives from it only twice`
		}()
	}
	r := <-ch
	<-ch
	return r
}

func channelPerIteration(urls []string) {
	for range urls {
		errc := make(chan error, 1)
		go func() { errc <- fetchErr() }()
		select {
		case <-errc:
		case <-time.After(time.Second):
		}
	}
}

// --- a second send on one path ---

func doubleSend() result {
	ch := make(chan result)
	go func() {
		ch <- fetch()
		ch <- fetch() // want `goroutine blocks for ever sending on unbuffered channel ch: it sends twice but doubleSend receives only once`
	}()
	return <-ch
}

func sendOnEachBranch(fail bool) error {
	ch := make(chan error)
	go func() {
		if err := fetchErr(); err != nil {
			ch <- err
			return
		}
		ch <- nil
	}()
	return <-ch
}

func twoSendsTwoReceives() (result, result) {
	ch := make(chan result)
	go func() {
		ch <- fetch()
		ch <- fetch()
	}()
	return <-ch, <-ch
}

func twoSendsBuffered() result {
	ch := make(chan result, 1)
	go func() {
		ch <- fetch()
		ch <- fetch()
	}()
	return <-ch
}

// --- the consumer stops ranging early ---

func stopsEarly(limit, n int) int {
	ch := make(chan int)
	go func() {
		defer close(ch)
		for i := 0; i < n; i++ {
			ch <- i // want `goroutine blocks for ever sending on unbuffered channel ch once stopsEarly stops ranging over it`
		}
	}()
	sum := 0
	for v := range ch {
		if v > limit {
			break
		}
		sum += v
	}
	return sum
}

func drainsAll(xs []int) int {
	ch := make(chan int)
	go func() {
		defer close(ch)
		for _, x := range xs {
			ch <- x
		}
	}()
	sum := 0
	for v := range ch {
		sum += v
	}
	return sum
}

func stopsProducer(limit int) int {
	ch := make(chan int)
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer close(ch)
		for i := 0; ; i++ {
			select {
			case ch <- i:
			case <-done:
				return
			}
		}
	}()
	sum := 0
	for v := range ch {
		if v > limit {
			break
		}
		sum += v
	}
	return sum
}

// --- nil channels and channels that escape ---

func nilChannel() {
	var ch chan int
	go func() {
		ch <- 1 // want `goroutine blocks for ever sending on ch: ch is a nil channel`
	}()
}

func returned() <-chan result {
	ch := make(chan result)
	go func() { ch <- fetch() }()
	return ch
}

func handedOver(consume func(<-chan result)) {
	ch := make(chan result)
	go func() { ch <- fetch() }()
	consume(ch)
}

func readByOtherGoroutine() {
	ch := make(chan result)
	go func() { ch <- fetch() }()
	go func() { <-ch }()
}

// --- regressions from the real-world audit ---

// One goroutine per item, each sending once into a buffer of a constant
// size: whether the buffer is large enough depends on the number of items,
// which the analysis cannot count. (grpc internal/cache tests)
func perItemIntoBuffer(items []string) {
	const size = 3
	results := make(chan struct{}, size)
	for range items {
		go func() { results <- struct{}{} }()
	}
	select {
	case <-results:
	case <-time.After(time.Second):
	}
}

// A reporting goroutine sends errors into a buffer until told to stop; the
// parent reads at most one. (nats-server cluster tests)
func reportUntilDone(check func() error) error {
	errs := make(chan error, 100)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			default:
				if err := check(); err != nil {
					errs <- err
				}
			}
		}
	}()
	time.Sleep(time.Millisecond)
	close(done)
	if len(errs) > 0 {
		return <-errs
	}
	return nil
}

// --- regressions from code review ---

// A send before a return inside a loop, then a send after the loop: one
// send per path.
func firstMatch(xs []int, match func(int) bool) int {
	ch := make(chan int)
	go func() {
		for _, x := range xs {
			if match(x) {
				ch <- x
				return
			}
		}
		ch <- -1
	}()
	return <-ch
}

// A helper that receives until the channel is closed: its count of
// receives is unknown.
func collect(ch chan int) {
	for {
		if _, ok := <-ch; !ok {
			return
		}
	}
}

func collected() {
	ch := make(chan int)
	go func() {
		ch <- 1
		ch <- 2
		close(ch)
	}()
	collect(ch)
}

// Passed to a variadic parameter: not summarised, so the channel escapes.
func merge(cs ...<-chan int) {}

func merged() {
	a := make(chan int)
	go func() {
		a <- 1
		close(a)
	}()
	merge(a)
}

// Passed as an any.
func track(x any) {}

func tracked() {
	a := make(chan int)
	go func() { a <- 1 }()
	track(a)
}

// The go statement is followed by a break: one goroutine.
func firstPrimary(primaries []bool) result {
	ch := make(chan result)
	for _, primary := range primaries {
		if primary {
			go func() { ch <- fetch() }()
			break
		}
	}
	return <-ch
}

// A channel made in the send itself: nothing can receive from it.
func freshChannel() {
	go func() {
		make(chan int) <- 1 // want `goroutine blocks for ever sending on make\(chan int\): the channel is made here, so nothing else can reach it`
	}()
}

// Twin: a buffer takes the one value.
func freshBufferedChannel() {
	go func() {
		make(chan int, 1) <- 1
	}()
}

// Named goroutine functions: their summaries count the sends of one call.

func announce(out chan<- string, verbose bool) {
	out <- "start"
	if verbose {
		out <- "detail"
	}
}

func announceOnce(out chan<- string) {
	out <- "start"
}

func startAnnouncer(v bool) string {
	m := make(chan string)
	go announce(m, v) // want `goroutine blocks for ever in announce, sending on unbuffered channel m: it sends twice but startAnnouncer receives only once`
	return <-m
}

// Twins: two receives, a buffer for the second value, one send.
func startAnnouncerTwice(v bool) (string, string) {
	m := make(chan string)
	go announce(m, true)
	return <-m, <-m
}

func startAnnouncerBuffered(v bool) string {
	m := make(chan string, 1)
	go announce(m, v)
	return <-m
}

func startAnnouncerOnce() string {
	m := make(chan string)
	go announceOnce(m)
	return <-m
}

// A callee inside a goroutine literal counts as its sends.
func announceInLiteral() string {
	m := make(chan string)
	go func() {
		announce(m, true) // want `goroutine blocks for ever in announce, sending on unbuffered channel m: it sends twice but announceInLiteral receives only once`
	}()
	return <-m
}

// A channel made in a loop body: the next iteration makes a new channel,
// so returning from this one abandons its goroutine.
func perIterationAbandoned(stop chan bool) {
	for {
		done := make(chan bool)
		go func() {
			done <- true // want `goroutine blocks for ever sending on unbuffered channel done: perIterationAbandoned can return through the stop case without receiving from done`
		}()
		select {
		case <-stop:
			return
		case <-done:
		}
	}
}

// Twins: a buffer of one, and a loop that only leaves after receiving.
func perIterationBuffered(stop chan bool) {
	for {
		done := make(chan bool, 1)
		go func() { done <- true }()
		select {
		case <-stop:
			return
		case <-done:
		}
	}
}

func perIterationWaits(stop chan bool) {
	for {
		done := make(chan bool)
		go func() { done <- true }()
		<-done
		select {
		case <-stop:
			return
		default:
		}
	}
}

// Each send that can be the first to block is reported: here one on each
// path.
func eitherBranch(fail bool, stop chan bool) {
	done := make(chan bool)
	go func() {
		if fail {
			done <- false // want `goroutine blocks for ever sending on unbuffered channel done: eitherBranch can return through the stop case without receiving from done`
			return
		}
		done <- true // want `goroutine blocks for ever sending on unbuffered channel done: eitherBranch can return through the stop case without receiving from done`
	}()
	select {
	case <-stop:
		return
	case <-done:
	}
}

// Twin of the count: of two sends in a row, only the first can block when
// nothing is received.
func oneAfterAnother(stop chan bool) {
	done := make(chan bool)
	go func() {
		done <- false // want `goroutine blocks for ever sending on unbuffered channel done: oneAfterAnother can return through the stop case without receiving from done`
		done <- true
	}()
	select {
	case <-stop:
		return
	case <-done:
		<-done
	}
}

// An unbuffered field that nothing in the package receives from.
type watcher struct {
	result chan bool
	errs   chan error
}

func newWatcher() *watcher {
	return &watcher{result: make(chan bool), errs: make(chan error)}
}

func (w *watcher) run() {
	err := <-w.errs
	w.result <- err == nil // want `goroutine blocks for ever sending on w.result: nothing in package send receives from field result`
}

func (w *watcher) Stop() { w.errs <- nil }

func startWatcher() {
	w := newWatcher()
	go w.run()
	go w.Stop()
}

// Twins: a field something receives from, a buffered field, and a field
// handed out by a getter (its receivers are out of sight).
type readWatcher struct{ result chan bool }

func (w *readWatcher) run()       { w.result <- true }
func (w *readWatcher) Wait() bool { return <-w.result }

func startReadWatcher() bool {
	w := &readWatcher{result: make(chan bool)}
	go w.run()
	return w.Wait()
}

type bufferedWatcher struct{ result chan bool }

func (w *bufferedWatcher) run() { w.result <- true }

func startBufferedWatcher() {
	w := &bufferedWatcher{result: make(chan bool, 1)}
	go w.run()
}

type exposedWatcher struct{ result chan bool }

func (w *exposedWatcher) run()                { w.result <- true }
func (w *exposedWatcher) Result() <-chan bool { return w.result }

func startExposedWatcher() *exposedWatcher {
	w := &exposedWatcher{result: make(chan bool)}
	go w.run()
	return w
}

// An operation in a callee blocks the goroutine that calls it.
type mux struct {
	incoming chan int
	result   chan struct{}
}

func (m *mux) loop() {
	for range m.incoming {
		m.distribute()
	}
}

func (m *mux) distribute() {
	m.result <- struct{}{} // want `goroutine blocks for ever sending on m.result: nothing in package send receives from field result`
}

func startMux(xs []int) {
	m := &mux{incoming: make(chan int), result: make(chan struct{})}
	go m.loop()
	for _, x := range xs {
		m.incoming <- x
	}
	close(m.incoming)
}

// Twin: the callee's field has a receiver.
type readMux struct {
	incoming chan int
	result   chan struct{}
}

func (m *readMux) loop() {
	for range m.incoming {
		m.distribute()
	}
}

func (m *readMux) distribute() { m.result <- struct{}{} }

func startReadMux(xs []int) {
	m := &readMux{incoming: make(chan int), result: make(chan struct{})}
	go m.loop()
	for _, x := range xs {
		m.incoming <- x
		<-m.result
	}
	close(m.incoming)
}

// A loop with a constant trip count sends that many times.
func threeSendsOneReceive() int {
	ch := make(chan int, 1)
	go func() {
		for i := 0; i < 3; i++ {
			ch <- i // want `goroutine blocks for ever sending on ch: it sends 3 times but threeSendsOneReceive receives only once`
		}
	}()
	return <-ch
}

// Twin: the buffer holds what is not received.
func threeSendsBuffered() int {
	ch := make(chan int, 2)
	go func() {
		for i := 0; i < 3; i++ {
			ch <- i
		}
	}()
	return <-ch
}

// A local copy of a field: its uses are the field's.
type framer struct {
	reset chan bool
	quit  chan bool
}

func (f *framer) monitor() {
	reset := f.reset
	<-f.quit
	close(reset)
}

func (f *framer) WriteFrame() {
	f.reset <- true // want `goroutine blocks for ever sending on f.reset: nothing in package send receives from field reset`
}

func startFramer() {
	f := &framer{reset: make(chan bool), quit: make(chan bool)}
	go f.monitor()
	go f.WriteFrame()
	f.quit <- true
}

// Twin: the copy is received from.
type readFramer struct {
	reset chan bool
	quit  chan bool
}

func (f *readFramer) monitor() {
	reset := f.reset
	for {
		select {
		case <-reset:
		case <-f.quit:
			return
		}
	}
}

func (f *readFramer) WriteFrame() { f.reset <- true }

func startReadFramer() {
	f := &readFramer{reset: make(chan bool), quit: make(chan bool)}
	go f.monitor()
	go f.WriteFrame()
	f.quit <- true
}

// Goroutines that together send more than is received: one of them blocks.
func sendOnErrorAndResult(ch chan error, err error) {
	if err != nil {
		ch <- err
	}
	ch <- nil
}

func twoCheckers(a, b error) (error, error) {
	ch := make(chan error)
	go func() { sendOnErrorAndResult(ch, a) }()
	go func() {
		sendOnErrorAndResult(ch, b) // want `goroutines block for ever in sendOnErrorAndResult, sending on unbuffered channel ch: together they send up to 4 values but twoCheckers receives only twice`
	}()
	return <-ch, <-ch
}

// Twins: each goroutine sends once; and a buffer for the extra values.
func twoOnce() (error, error) {
	ch := make(chan error)
	go func() { ch <- nil }()
	go func() { ch <- nil }()
	return <-ch, <-ch
}

func twoCheckersBuffered(a, b error) (error, error) {
	ch := make(chan error, 2)
	go func() { sendOnErrorAndResult(ch, a) }()
	go func() { sendOnErrorAndResult(ch, b) }()
	return <-ch, <-ch
}

func computeValue() (int, error) { return 0, nil }

// Twin (a false positive once seen on real code): the goroutine sends its
// result on exactly one of two channels and closes both when it returns.
// While one send waits, the other channel is not ready, so the reader
// cannot take its case.
func oneOfTwo() (int, error) {
	vals := make(chan int)
	errs := make(chan error)
	go func() {
		defer close(vals)
		defer close(errs)
		v, err := computeValue()
		if err != nil {
			errs <- err
			return
		}
		vals <- v
	}()
	select {
	case v := <-vals:
		return v, nil
	case err := <-errs:
		return 0, err
	}
}

// Must-flag beside it: both sends happen, one after the other, and the
// reader takes only one.
func bothOfTwo() (int, error) {
	vals := make(chan int)
	errs := make(chan error)
	go func() {
		v, err := computeValue()
		vals <- v
		errs <- err // want `goroutine blocks for ever sending on unbuffered channel errs: bothOfTwo can return through the vals case without receiving from errs`
	}()
	select {
	case v := <-vals:
		return v, nil
	case err := <-errs:
		return 0, err
	}
}

// Twin (a false positive once seen on real code): the send is in a callee,
// and the goroutine closes finished only after that call returns, so the
// reader cannot take the finished case while the send waits.
func sendsThroughCallee(check func() bool) {
	scans := make(chan string)
	finished := make(chan struct{})
	go func() {
		scheduleScan(check, scans)
		close(finished)
	}()
	select {
	case <-scans:
		<-finished
	case <-finished:
	}
}

func scheduleScan(check func() bool, scans chan<- string) {
	if check() {
		scans <- "changed"
	}
}

// Must-flag beside it: finished is closed before the call that sends, so
// the reader can take the finished case and leave the send waiting.
func closesBeforeCallee(check func() bool) {
	scans := make(chan string)
	finished := make(chan struct{})
	go func() {
		close(finished)
		scheduleScan(check, scans) // want `goroutine blocks for ever in scheduleScan, sending on unbuffered channel scans: closesBeforeCallee can return through the finished case without receiving from scans`
	}()
	select {
	case <-scans:
		<-finished
	case <-finished:
	}
}

// Twin (seen on real code): the other case's channel is assigned twice, so
// when it becomes ready is beyond the model; here it is closed only after
// the goroutine's error path is passed, so the send cannot be abandoned.
func reassignedDone(decode func() error) error {
	errc := make(chan error)
	done := make(chan struct{})
	go func() {
		if err := decode(); err != nil {
			errc <- err
			return
		}
		close(done)
	}()
	select {
	case err := <-errc:
		return err
	case <-done:
	}
	done = make(chan struct{})
	go func() { close(done) }()
	<-done
	return nil
}

// A loop that receives the goroutines' values but gives up early: on the
// first error, or on a timeout. The goroutines not yet received from leak.
func firstErrorOf(jobs []func() error) error {
	errs := make(chan error)
	for _, job := range jobs {
		go func() {
			errs <- job() // want `goroutines started in a loop block for ever sending on unbuffered channel errs once firstErrorOf leaves the loop that receives from it`
		}()
	}
	for range jobs {
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}

func gatherWithTimeout(backends []string, query func(string) string) []string {
	results := make(chan string)
	for _, b := range backends {
		go func() {
			results <- query(b) // want `goroutines started in a loop block for ever sending on unbuffered channel results once gatherWithTimeout leaves the loop that receives from it`
		}()
	}
	var got []string
	for range backends {
		select {
		case r := <-results:
			got = append(got, r)
		case <-time.After(time.Second):
			return got
		}
	}
	return got
}

// Twins: a buffer for every job, and a loop that leaves only once it has
// received every value.
func firstErrorBuffered(jobs []func() error) error {
	errs := make(chan error, len(jobs))
	for _, job := range jobs {
		go func() { errs <- job() }()
	}
	for range jobs {
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}

func gatherAll(backends []string, query func(string) string) []string {
	results := make(chan string)
	for _, b := range backends {
		go func() { results <- query(b) }()
	}
	var got []string
	for {
		got = append(got, <-results)
		if len(got) == len(backends) {
			return got
		}
	}
}

// The parent waits for the goroutine before it receives what the goroutine
// sends, and the goroutine's Done runs only after its send.
func waitThenReceive() int {
	var wg sync.WaitGroup
	out := make(chan int)
	wg.Add(1)
	go func() {
		defer wg.Done()
		out <- 1 // want `goroutine blocks for ever sending on unbuffered channel out: waitThenReceive waits for the goroutine to finish before it receives from out, and the goroutine finishes only after its send`
	}()
	wg.Wait()
	return <-out
}

func waitGoThenReceive() int {
	var wg sync.WaitGroup
	out := make(chan int)
	wg.Go(func() {
		out <- 1 // want `goroutine blocks for ever sending on unbuffered channel out: waitGoThenReceive waits for the goroutine to finish before it receives from out, and the goroutine finishes only after its send`
	})
	wg.Wait()
	return <-out
}

func doneAfterSend() int {
	var wg sync.WaitGroup
	out := make(chan int)
	wg.Add(1)
	go func() {
		out <- 1 // want `goroutine blocks for ever sending on unbuffered channel out: doneAfterSend waits for the goroutine to finish before it receives from out, and the goroutine finishes only after its send`
		wg.Done()
	}()
	wg.Wait()
	return <-out
}

// Twins: a buffer of one; the receive before the Wait; Done before the
// send.
func waitThenReceiveBuffered() int {
	var wg sync.WaitGroup
	out := make(chan int, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		out <- 1
	}()
	wg.Wait()
	return <-out
}

func receiveThenWait() int {
	var wg sync.WaitGroup
	out := make(chan int)
	wg.Add(1)
	go func() {
		defer wg.Done()
		out <- 1
	}()
	v := <-out
	wg.Wait()
	return v
}

func doneBeforeSend() int {
	var wg sync.WaitGroup
	out := make(chan int)
	wg.Add(1)
	go func() {
		wg.Done()
		out <- 1
	}()
	wg.Wait()
	return <-out
}

// A buffered field that nothing in the package receives from, sent on
// again and again: once the buffer is full, the goroutine waits for ever.
type cacheWatcher struct {
	result chan int
}

func newCacheWatcher(size int, events []int) *cacheWatcher {
	w := &cacheWatcher{result: make(chan int, size)}
	go w.process(events)
	return w
}

func (w *cacheWatcher) process(events []int) {
	for _, e := range events {
		w.send(e)
	}
}

func (w *cacheWatcher) send(e int) {
	w.result <- e // want `goroutine blocks for ever sending on w.result: nothing in package send receives from field result, so once its buffer is full this send, made again and again, waits for ever`
}

// Twins: a receiver exists; and a single send that the buffer holds.
type cacheWatcher2 struct {
	result chan int
}

func newCacheWatcher2(size int, events []int) *cacheWatcher2 {
	w := &cacheWatcher2{result: make(chan int, size)}
	go func() {
		for _, e := range events {
			w.result <- e
		}
	}()
	return w
}

func (w *cacheWatcher2) next() int { return <-w.result }

type once struct {
	result chan int
}

func newOnce() *once {
	o := &once{result: make(chan int, 1)}
	go func() {
		o.result <- 1
	}()
	return o
}

// Sends that fill the buffer before any receiver can exist (the
// cockroach #24808 shape): the second send, in Start, waits for ever.
type compactor struct {
	ch chan struct{}
}

func (c *compactor) start(stop chan struct{}) {
	c.ch <- struct{}{} // want `goroutine blocks for ever sending on c.ch: this is send 2 on a channel whose buffer holds 1, and nothing else can have the channel yet to receive from it`
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-c.ch:
			}
		}
	}()
}

func runCompactor(stop chan struct{}) {
	go func() {
		c := &compactor{ch: make(chan struct{}, 1)}
		c.ch <- struct{}{}
		c.start(stop)
	}()
}

// Twin: the receiver starts first.
func runCompactor2(stop chan struct{}) {
	go func() {
		c := &compactor{ch: make(chan struct{}, 1)}
		c.start(stop)
		c.ch <- struct{}{}
	}()
}

// The same shape with a type of its own: every send on its field is made
// before the receiver exists, so the fix gives room for both.
type poker struct {
	ch chan struct{}
}

func (p *poker) start(stop chan struct{}) {
	p.ch <- struct{}{} // want `goroutine blocks for ever sending on p.ch: this is send 2 on a channel whose buffer holds 1, and nothing else can have the channel yet to receive from it`
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-p.ch:
			}
		}
	}()
}

func runPoker(stop chan struct{}) {
	go func() {
		p := &poker{ch: make(chan struct{}, 1)}
		p.ch <- struct{}{}
		p.start(stop)
	}()
}

// A local channel sent on twice, with room for one.
func overfillLocal() {
	go func() {
		ch := make(chan int, 1)
		ch <- 1
		ch <- 2 // want `goroutine blocks for ever sending on ch: this is send 2 on a channel whose buffer holds 1`
		go func() { <-ch }()
	}()
}

// Three sends, room for one, the last after a statement that does not
// touch the channel: the fix gives room for all three.
func overfillLocal3(n int) {
	go func() {
		ch := make(chan int, 1)
		ch <- 1
		ch <- 2 // want `goroutine blocks for ever sending on ch: this is send 2 on a channel whose buffer holds 1`
		use(n)
		ch <- 3
		go func() { <-ch }()
	}()
}

// The same, but a send after the receiver exists is not counted: no fix
// (a larger buffer would change when that send waits).
func overfillLocalLater() {
	go func() {
		ch := make(chan int, 1)
		ch <- 1
		ch <- 2 // want `goroutine blocks for ever sending on ch: this is send 2 on a channel whose buffer holds 1`
		go func() { <-ch }()
		ch <- 3
	}()
}

// The same, but the code asks len(ch): no fix.
func overfillLocalMeasured() int {
	n := make(chan int)
	go func() {
		ch := make(chan int, 1)
		ch <- 1
		ch <- 2 // want `goroutine blocks for ever sending on ch: nothing receives from ch` `this is send 2 on a channel whose buffer holds 1`
		n <- len(ch)
	}()
	return <-n
}

func use(int) {}

// Twin: room for both.
func overfillLocal2() {
	go func() {
		ch := make(chan int, 2)
		ch <- 1
		ch <- 2
		go func() { <-ch }()
	}()
}

// A buffer would change what len(out) says: no fix.
func measuredOut(fail bool) int {
	out := make(chan int)
	go func() { out <- 1 }() // want `goroutine blocks for ever sending on unbuffered channel out: measuredOut can return without receiving from out`
	if fail {
		return len(out)
	}
	return <-out
}

// The send is each goroutine's last act, though in a loop and a select:
// the return after it ends the goroutine. Three goroutines, one receive:
// a buffer of 3.
func lastInLoop(taken chan bool, work func()) {
	end := make(chan bool)
	for i := 0; i < 3; i++ {
		go func() {
			for {
				work()
				select {
				case taken <- true:
					continue
				default:
					end <- true // want `goroutines started in a loop block for ever sending on unbuffered channel end: lastInLoop receives from it only once`
					return
				}
			}
		}()
	}
	<-end
}

// A deferred function that recovers sends the panic: the goroutine's last
// act, so a buffer of one lets it end (the client-go TestPanicPropagated
// shape).
func propagatePanic(run func()) error {
	propagated := make(chan any)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				propagated <- r // want `goroutine blocks for ever sending on unbuffered channel propagated: propagatePanic can return through the time.After case without receiving from propagated`
			}
		}()
		run()
	}()
	select {
	case <-propagated:
		return nil
	case <-time.After(time.Second):
		return errTimeout
	}
}

// Twin: no recover, so a panic goes on after the send; with a buffer it
// would crash the program where the goroutine now waits: no fix.
func propagateResult(run func() int) error {
	done := make(chan int)
	go func() {
		n := 0
		defer func() {
			done <- n // want `goroutine blocks for ever sending on unbuffered channel done: propagateResult can return through the time.After case without receiving from done`
		}()
		n = run()
	}()
	select {
	case <-done:
		return nil
	case <-time.After(time.Second):
		return errTimeout
	}
}

// Twin: a defer registered before it runs after the send: no fix.
func propagateThenLog(run func(), log func()) error {
	propagated := make(chan any)
	go func() {
		defer log()
		defer func() {
			if r := recover(); r != nil {
				propagated <- r // want `goroutine blocks for ever sending on unbuffered channel propagated: propagateThenLog can return through the time.After case without receiving from propagated`
			}
		}()
		run()
	}()
	select {
	case <-propagated:
		return nil
	case <-time.After(time.Second):
		return errTimeout
	}
}

// The path that abandons the goroutine is a case on a done channel that is
// only ever closed: besides the buffer, a select on done is offered.
func withDone(stop bool) int {
	out := make(chan int)
	done := make(chan struct{})
	if stop {
		close(done)
	}
	go func() {
		out <- 1 // want `goroutine blocks for ever sending on unbuffered channel out: withDone can return through the done case without receiving from out`
	}()
	select {
	case v := <-out:
		return v
	case <-done:
		return 0
	}
}

// Twin: done is also sent on, so its case may take a value meant for
// another: only the buffer is offered.
func withDoneSent(stop bool) int {
	out := make(chan int)
	done := make(chan struct{}, 1)
	if stop {
		done <- struct{}{}
	}
	go func() {
		out <- 1 // want `goroutine blocks for ever sending on unbuffered channel out: withDoneSent can return through the done case without receiving from out`
	}()
	select {
	case v := <-out:
		return v
	case <-done:
		return 0
	}
}

// A retry loop that waits for the goroutine only once the service is up,
// and gives up on a timeout: the goroutine's send is abandoned.
func startService(up func() bool) {
	done := make(chan error)
	go func() {
		done <- nil // want `goroutine blocks for ever sending on unbuffered channel done: startService can return through the time.After case without receiving from done`
	}()
	for try := 0; try < 10; try++ {
		if up() {
			select {
			case <-done:
				return
			case <-time.After(time.Second):
			}
			return
		}
	}
}

// Twin: the loop leaves only once it has received (or tried ten times,
// which the analysis takes to have received).
func startServiceWaiting(up func() bool) {
	done := make(chan error)
	go func() {
		done <- nil
	}()
	for try := 0; try < 10; try++ {
		if up() {
			<-done
			return
		}
	}
}

// A select loop without a condition that gives up on a timeout: the
// goroutine's send is abandoned.
func waitOrGiveUp(d time.Duration) error {
	errc := make(chan error)
	go func() {
		errc <- nil // want `goroutine blocks for ever sending on unbuffered channel errc: waitOrGiveUp can return through the time.After case without receiving from errc`
	}()
	for {
		select {
		case err := <-errc:
			return err
		case <-time.After(d):
			return nil
		}
	}
}

// Twin: the loop leaves when its other goroutines are done, which says
// nothing the analysis can weigh against the error's send; it is taken to
// wait for it.
func streamUntilDone(n int) error {
	doneChan := make(chan struct{}, 2)
	errorChan := make(chan error)
	go func() {
		errorChan <- nil
	}()
	for range n {
		go func() { doneChan <- struct{}{} }()
	}
	completed := 0
Loop:
	for {
		select {
		case <-doneChan:
			completed++
			if completed == n {
				break Loop
			}
		case err := <-errorChan:
			return err
		}
	}
	return nil
}

// Two watchers report their errors on one channel, and the loop returns
// on the first error or when told to stop: the other watcher's send is
// abandoned.
func watchBoth(stop <-chan struct{}, poll func() error) error {
	errs := make(chan error)
	go func() {
		errs <- poll() // want `goroutine blocks for ever sending on unbuffered channel errs: watchBoth can return through the stop case without receiving from errs`
	}()
	for {
		select {
		case <-stop:
			return nil
		case err := <-errs:
			return err
		}
	}
}
