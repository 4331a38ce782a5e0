// Package errgroup is a stand-in for golang.org/x/sync/errgroup with the
// same API shape, so that testdata can start goroutines through Group.Go.
package errgroup

import "context"

type Group struct{ err error }

func WithContext(ctx context.Context) (*Group, context.Context) { return &Group{}, ctx }

func (g *Group) Go(f func() error) {
	go func() {
		if err := f(); err != nil && g.err == nil {
			g.err = err
		}
	}()
}

func (g *Group) Wait() error { return g.err }
