package recv

import "context"

// Context contracts: a starter derives a context, keeps its cancel in a
// field, and starts a goroutine that waits on the derived context. Only
// the methods that call the stored cancel release it.

type rows struct {
	cancel context.CancelFunc
}

func (rs *rows) initContextClose(ctx context.Context) {
	ctx, rs.cancel = context.WithCancel(ctx)
	go rs.awaitDone(ctx)
}

func (rs *rows) awaitDone(ctx context.Context) {
	<-ctx.Done()
	rs.close()
}

func (rs *rows) close() { rs.cancel() }

func (rs *rows) Close() { rs.close() }

func queryNeverClosed() {
	rs := &rows{}
	rs.initContextClose(context.Background()) // want `rs.initContextClose starts a goroutine that runs until rs.Close or rs.close is called, but queryNeverClosed never calls it: the goroutine leaks when rs is dropped`
}

// Twins: the caller closes it, or passes a context it may cancel.
func queryClosed() {
	rs := &rows{}
	rs.initContextClose(context.Background())
	defer rs.Close()
}

func queryUnderCallerContext(ctx context.Context) {
	rs := &rows{}
	rs.initContextClose(ctx)
}

type db struct{}

type tx struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func (d *db) begin(ctx context.Context) *tx {
	ctx, cancel := context.WithCancel(ctx)
	t := &tx{ctx: ctx, cancel: cancel}
	go t.awaitDone()
	return t
}

func (t *tx) awaitDone() { <-t.ctx.Done() }

func (t *tx) Rollback() { t.cancel() }

func beginDiscarded(d *db) {
	d.begin(context.TODO()) // want `begin starts a goroutine that runs until Rollback is called on its result, which is discarded: the goroutine leaks`
}

func beginRolledBack(d *db) {
	t := d.begin(context.Background())
	defer t.Rollback()
}
