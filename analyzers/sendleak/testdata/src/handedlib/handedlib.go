// Package handedlib is a client that runs the callbacks it is given on
// its own goroutine, once per event, for as long as events come.
package handedlib

import "errors"

// A Client delivers messages and errors to callbacks.
type Client struct {
	onError func(error)
	subs    []func(string)
	events  chan string
	done    chan struct{}
}

// An Option configures a Client.
type Option func(*Client)

// OnError makes h the Client's error handler, called for every error.
func OnError(h func(error)) Option {
	return func(c *Client) { c.onError = h }
}

// Dial starts the Client's delivery goroutine.
func Dial(opts ...Option) *Client {
	c := &Client{events: make(chan string), done: make(chan struct{})}
	for _, o := range opts {
		o(c)
	}
	go c.deliver()
	return c
}

// Subscribe calls cb for every message.
func (c *Client) Subscribe(cb func(string)) {
	c.subs = append(c.subs, cb)
}

// Publish hands a message to the delivery goroutine.
func (c *Client) Publish(m string) {
	select {
	case c.events <- m:
	case <-c.done:
	}
}

// Close stops the delivery goroutine.
func (c *Client) Close() { close(c.done) }

func (c *Client) deliver() {
	for {
		select {
		case m := <-c.events:
			for _, cb := range c.subs {
				cb(m)
			}
			if m == "" && c.onError != nil {
				c.onError(errors.New("empty message"))
			}
		case <-c.done:
			return
		}
	}
}
