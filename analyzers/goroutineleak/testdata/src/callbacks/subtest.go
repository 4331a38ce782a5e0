package callbacks

import (
	"net"
	"testing"
)

// t.Run waits for its subtest: the subtest's code is the test's own, so a
// receive there that the goroutine it starts may never satisfy strands
// the subtest itself.
func checkAccept(t *testing.T) {
	t.Run("accept", func(t *testing.T) {
		ln, err := net.Listen("tcp", "localhost:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		connCh := make(chan net.Conn)
		go func() {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			connCh <- conn
		}()
		conn := <-connCh // want `the enclosing function literal blocks for ever receiving from connCh: the goroutine it starts can return without sending to or closing connCh`
		conn.Close()
	})
}
