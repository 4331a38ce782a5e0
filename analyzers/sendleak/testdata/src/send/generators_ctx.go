package send

import (
	"context"
	"errors"
	"strings"
)

// walkNames is a generator that stops on the context it is given: its
// sends wait on ctx.Done() too. A caller that stops ranging must cancel
// that context, or the goroutine waits until someone else does.
func walkNames(ctx context.Context, names []string) <-chan string {
	out := make(chan string)
	go func() {
		defer close(out)
		for _, n := range names {
			select {
			case out <- n:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// The caller hands on its own context and returns on a bad name: its
// caller cancels ctx, if ever, only later.
func firstHidden(ctx context.Context, names []string) (string, error) {
	for n := range walkNames(ctx, names) { // want `goroutine started by walkNames blocks sending on the channel it returns once firstHidden stops ranging over it, until firstHidden's caller cancels ctx: firstHidden leaves without cancelling it`
		if strings.HasPrefix(n, ".") {
			return n, nil
		}
	}
	return "", errors.New("none")
}

func firstHiddenBackground(names []string) string {
	for n := range walkNames(context.Background(), names) { // want `until context.Background\(\) is done, and context.Background\(\) is context.Background\(\), which is never cancelled`
		if strings.HasPrefix(n, ".") {
			return n
		}
	}
	return ""
}

// Twins: a caller that derives a context and cancels it when it leaves,
// and one that drains the channel.
func firstHiddenCancelled(ctx context.Context, names []string) string {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for n := range walkNames(ctx, names) {
		if strings.HasPrefix(n, ".") {
			return n
		}
	}
	return ""
}

// A caller that stops ranging only once the very context it gave the
// generator is done: the generator's goroutine stops on it too.
func copyNames(ctx context.Context, names []string, out chan<- string) {
	for n := range walkNames(ctx, names) {
		select {
		case out <- n:
		case <-ctx.Done():
			return
		}
	}
}

func countHidden(ctx context.Context, names []string) int {
	k := 0
	for n := range walkNames(ctx, names) {
		if strings.HasPrefix(n, ".") {
			k++
		}
	}
	return k
}

// A generator whose sends may also stop on a second channel is no
// generator here: what closes it is beyond the caller.
func walkNamesOrQuit(ctx context.Context, quit <-chan struct{}, names []string) <-chan string {
	out := make(chan string)
	go func() {
		defer close(out)
		for _, n := range names {
			select {
			case out <- n:
			case <-ctx.Done():
				return
			case <-quit:
				return
			}
		}
	}()
	return out
}

func firstHiddenOrQuit(ctx context.Context, quit <-chan struct{}, names []string) string {
	for n := range walkNamesOrQuit(ctx, quit, names) {
		if strings.HasPrefix(n, ".") {
			return n
		}
	}
	return ""
}

// A generator that can fail before it makes its channel.
func splitFields(s string) (<-chan string, error) {
	if s == "" {
		return nil, errors.New("empty")
	}
	out := make(chan string)
	go func() {
		defer close(out)
		for _, f := range strings.Fields(s) {
			out <- f
		}
	}()
	return out, nil
}

func firstLong(s string) string {
	fields, err := splitFields(s)
	if err != nil {
		return ""
	}
	for f := range fields { // want `goroutine started by splitFields blocks for ever sending on the channel it returns once firstLong stops ranging over it`
		if len(f) > 8 {
			return f
		}
	}
	return ""
}

func allFields(s string) []string {
	fields, err := splitFields(s)
	if err != nil {
		return nil
	}
	var all []string
	for f := range fields {
		all = append(all, f)
	}
	return all
}

// A package's variable given a generator's channel: other functions may
// read it too, so its ranges say nothing.
var sharedFields <-chan string

func loadShared(s string) {
	var err error
	sharedFields, err = splitFields(s)
	if err != nil {
		return
	}
	for f := range sharedFields {
		if len(f) > 8 {
			return
		}
	}
}
