package leakcheck

import (
	"bytes"
	"compress/gzip"
	"errors"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
)

// parkedHere blocks on a channel until released, at a line the tests
// look for.
func parkedHere(ch chan int, ready chan<- int) {
	_, _, line, _ := runtime.Caller(0)
	ready <- line + 2
	<-ch
}

// TestReadProfileProto reads the proto form of the goroutine profile,
// which is the goroutineleak profile's form too (this test runs on a Go
// that may not have that profile): every goroutine is a site.
func TestReadProfileProto(t *testing.T) {
	ch, ready := make(chan int), make(chan int)
	for range 3 {
		go parkedHere(ch, ready)
	}
	line := <-ready
	<-ready
	<-ready
	defer close(ch)
	for i := 0; i < 100 && !parkedAll(3); i++ {
		runtime.Gosched()
	}
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 0); err != nil {
		t.Fatal(err)
	}
	for _, form := range []struct {
		name string
		data []byte
	}{{"gzipped", buf.Bytes()}, {"plain", gunzip(t, buf.Bytes())}} {
		sites, err := ReadProfile(form.data)
		if err != nil {
			t.Fatalf("%s: %v", form.name, err)
		}
		found := false
		for _, s := range sites {
			if strings.HasSuffix(s.Blocked.Function, ".parkedHere") {
				found = true
				if s.Count != 3 || s.Blocked.Line != line || !strings.HasSuffix(s.Blocked.File, "/profile_test.go") || s.Reason != "chan receive" {
					t.Errorf("%s: site %+v, want 3 goroutines in chan receive at profile_test.go:%d", form.name, s, line)
				}
			}
		}
		if !found {
			t.Errorf("%s: no site in parkedHere: %+v", form.name, sites)
		}
	}
}

func parkedAll(n int) bool {
	var buf [64 << 10]byte
	return strings.Count(string(buf[:runtime.Stack(buf[:], true)]), "leakcheck.parkedHere(") >= n
}

func gunzip(t *testing.T, data []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := out.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestReadProfileText(t *testing.T) {
	text := `goroutine 1 [running]:
main.main()
	/src/main.go:30 +0x1e

goroutine 7 [chan send (leaked)]:
main.fetch.func1()
	/src/main.go:17 +0x1e
created by main.fetch in goroutine 1
	/src/main.go:16 +0x7f

goroutine 8 [chan send (leaked)]:
main.fetch.func1()
	/src/main.go:17 +0x1e
created by main.fetch in goroutine 1
	/src/main.go:16 +0x7f

goroutine 9 [sync.WaitGroup.Wait (leaked)]:
sync.runtime_SemacquireWaitGroup(0xc000012345?)
	/go/src/runtime/sema.go:114 +0x2e
sync.(*WaitGroup).Wait(0xc000012340)
	/go/src/sync/waitgroup.go:206 +0x85
main.wait()
	/src/main.go:40 +0x30
created by main.main in goroutine 1
	/src/main.go:29 +0x7f
`
	sites, err := ReadProfile([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	want := []Site{
		{Blocked: Frame{"main.fetch.func1", "/src/main.go", 17}, Reason: "chan send", CreatedBy: Frame{"main.fetch", "/src/main.go", 16}, Count: 2},
		{Blocked: Frame{"main.wait", "/src/main.go", 40}, Reason: "sync.WaitGroup.Wait", CreatedBy: Frame{"main.main", "/src/main.go", 29}, Count: 1},
	}
	if len(sites) != len(want) {
		t.Fatalf("%d sites, want %d: %+v", len(sites), len(want), sites)
	}
	for i, w := range want {
		s := sites[i]
		if s.Blocked != w.Blocked || s.Reason != w.Reason || s.CreatedBy != w.CreatedBy || s.Count != w.Count {
			t.Errorf("site %d = %+v, want %+v", i, s, w)
		}
	}
}

func TestReadProfileBad(t *testing.T) {
	if _, err := ReadProfile([]byte("goroutineleak profile: total 1\n1 @ 0x1\n")); !errors.Is(err, ErrDebug1) {
		t.Errorf("debug=1: %v, want ErrDebug1", err)
	}
	for _, data := range []string{"", "hello, world\n", "\x1f\x8bnot gzip", "\x12\xff\xff"} {
		if _, err := ReadProfile([]byte(data)); err == nil {
			t.Errorf("%q: no error", data)
		}
	}
}
