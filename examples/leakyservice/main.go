// Command leakyservice is an HTTP service that leaks a goroutine on every
// request to /leak, for leakwatch to find in production. /leak and /ok do
// the same work: each hands it to a worker goroutine and gives up after a
// timeout. /leak's worker then blocks for ever sending its result on an
// unbuffered channel nobody receives from; /ok's channel has room for the
// result, so its worker finishes.
//
// It serves its metrics, leakwatch's among them, on /metrics and the
// runtime's profiles on /debug/pprof/, and attributes each leak to its
// handler through a pprof label. Run it with Go 1.27, or Go 1.26 and
// GOEXPERIMENT=goroutineleakprofile:
//
//	go run . -addr 127.0.0.1:8080 -interval 1s
//	curl 127.0.0.1:8080/leak
//	curl -s 127.0.0.1:8080/metrics | grep leakwatch_leaked
//	curl -o leak.pb.gz 127.0.0.1:8080/debug/pprof/goroutineleak
//	goroutineleak -profile leak.pb.gz .
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	rpprof "runtime/pprof"
	"syscall"
	"time"

	"github.com/goroutineleak/goroutineleak/leakwatch"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// work is the request's job: it takes longer than the handler waits.
const (
	workTime = 20 * time.Millisecond
	timeout  = 5 * time.Millisecond
)

func work(n int) int {
	time.Sleep(workTime)
	return n * 2
}

// leak gives up on its worker after the timeout; the worker then blocks
// for ever on its send, since nothing will receive from out.
func leak(w http.ResponseWriter, r *http.Request) {
	out := make(chan int)
	go func() { out <- work(21) }()
	select {
	case v := <-out:
		fmt.Fprintln(w, v)
	case <-time.After(timeout):
		http.Error(w, "timed out", http.StatusGatewayTimeout)
	}
}

// ok does the same, but out has room for the one result: the worker
// finishes even when nobody is left to receive.
func ok(w http.ResponseWriter, r *http.Request) {
	out := make(chan int, 1)
	go func() { out <- work(21) }()
	select {
	case v := <-out:
		fmt.Fprintln(w, v)
	case <-time.After(timeout):
		http.Error(w, "timed out", http.StatusGatewayTimeout)
	}
}

// labelled runs h under the pprof label handler=path; goroutines that h
// starts inherit it, so leakwatch attributes their leaks to the handler.
func labelled(path string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rpprof.Do(r.Context(), rpprof.Labels("handler", path), func(context.Context) { h(w, r) })
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	interval := flag.Duration("interval", leakwatch.DefaultInterval, "least time between two leak detections (each is a full GC)")
	flag.Parse()

	reg := prometheus.NewRegistry()
	reg.MustRegister(
		leakwatch.New(leakwatch.Options{Interval: *interval, PprofLabels: []string{"handler"}}),
		collectors.NewGoCollector(),
	)

	mux := http.NewServeMux()
	mux.HandleFunc("/leak", labelled("/leak", leak))
	mux.HandleFunc("/ok", labelled("/ok", ok))
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	if rpprof.Lookup("goroutineleak") == nil {
		log.Printf("this binary has no goroutineleak profile: build it with Go 1.27, or Go 1.26 and GOEXPERIMENT=goroutineleakprofile; leakwatch exports leakwatch_profile_available 0")
	}
	log.Printf("listening on http://%s (leak detection at most every %v)", ln.Addr(), *interval)

	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
