package verdictfilter

import (
	"strings"
	"testing"
)

// filtered runs input through a filter, split at every point in turn, and
// checks that each split gives the same output; it returns that output
// and whether the filter acknowledged a token.
func filtered(t *testing.T, input string) (string, bool) {
	t.Helper()
	var want string
	var wantAcked bool
	for split := 0; split <= len(input); split++ {
		var out strings.Builder
		acked := 0
		f := &filter{
			token:       tokenPrefix("n0nce"),
			write:       func(b []byte) bool { out.Write(b); return true },
			acknowledge: func() { acked++ },
		}
		f.add([]byte(input[:split]))
		f.add([]byte(input[split:]))
		f.end()
		if acked > 1 {
			t.Fatalf("%q: acknowledged %d times", input, acked)
		}
		if split == 0 {
			want, wantAcked = out.String(), acked == 1
		} else if out.String() != want || (acked == 1) != wantAcked {
			t.Fatalf("%q split at %d: %q (acknowledged %v), but unsplit %q (%v)", input, split, out.String(), acked == 1, want, wantAcked)
		}
	}
	return want, wantAcked
}

func TestFilter(t *testing.T) {
	kept, overridden := string(Token("n0nce", false)), string(Token("n0nce", true))
	for _, c := range []struct {
		input, want string
		acked       bool
	}{
		// The verdict keeps PASS, or overrides it; coverage follows PASS.
		{"=== RUN   TestA\n--- PASS: TestA\nPASS\ncoverage: 50.0% of statements\n" + kept,
			"=== RUN   TestA\n--- PASS: TestA\nPASS\ncoverage: 50.0% of statements\n", true},
		{"--- PASS: TestA\nPASS\ncoverage: 50.0% of statements\nleaktest: report\nFAIL\n" + overridden,
			"--- PASS: TestA\ncoverage: 50.0% of statements\nleaktest: report\nFAIL\n", true},
		{"\x16PASS\nleaktest: report\n\x16FAIL\n" + overridden, "leaktest: report\n\x16FAIL\n", true},
		// Output after the token is copied.
		{"PASS\n" + overridden + "late\nPASS\n", "late\nPASS\n", true},
		// No verdict (the test process died): everything, PASS too.
		{"--- PASS: TestA\nPASS\ncoverage: 1%\n", "--- PASS: TestA\nPASS\ncoverage: 1%\n", false},
		{"panic: boom\n\ngoroutine 1 [running]:\n", "panic: boom\n\ngoroutine 1 [running]:\n", false},
		// Only the last PASS line is the testing package's; PASS inside a
		// line is not one.
		{"PASS\nout\nPASS\nFAIL\n" + overridden, "PASS\nout\nFAIL\n", true},
		{"fooPASS\n" + overridden, "fooPASS\n", true},
		{"PASSED\nPASS\n" + overridden, "PASSED\n", true},
		// Failed tests: no PASS line to drop.
		{"--- FAIL: TestA\nFAIL\n" + kept, "--- FAIL: TestA\nFAIL\n", true},
		// A token with another nonce is output.
		{"PASS\n\x00leaktest-verdict-other:O", "PASS\n\x00leaktest-verdict-other:O", false},
		// The start of a token at the end is output.
		{"x\x00leaktest-verd", "x\x00leaktest-verd", false},
	} {
		got, acked := filtered(t, c.input)
		if got != c.want || acked != c.acked {
			t.Errorf("%q:\ngot  %q (acknowledged %v)\nwant %q (%v)", c.input, got, acked, c.want, c.acked)
		}
	}
}

// TestFilterStreams checks that output is written as it comes, held back
// only from a PASS line on, or while it may be the start of one or of the
// token.
func TestFilterStreams(t *testing.T) {
	var out strings.Builder
	f := &filter{token: tokenPrefix("n0nce"), write: func(b []byte) bool { out.Write(b); return true }}
	for _, step := range []struct{ in, out string }{
		{"=== RUN   TestA\n", "=== RUN   TestA\n"},
		{"PA", ""},
		{"SSED\n", "PASSED\n"},
		{"partial", "partial"},
		{" line\n\x00leak", " line\n"},
		{"y\n", "\x00leaky\n"},
		{"PASS\n", ""},
		{"coverage: 1%\n", ""},
	} {
		out.Reset()
		f.add([]byte(step.in))
		if out.String() != step.out {
			t.Errorf("after %q: wrote %q, want %q", step.in, out.String(), step.out)
		}
	}
}
