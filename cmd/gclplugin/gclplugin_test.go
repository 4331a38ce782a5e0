package gclplugin_test

import (
	"strings"
	"testing"

	"github.com/golangci/plugin-module-register/register"
	_ "github.com/goroutineleak/goroutineleak/cmd/gclplugin"
	"golang.org/x/tools/go/analysis/analysistest"
)

func build(t *testing.T, raw any) (string, error) {
	t.Helper()
	newPlugin, err := register.GetPlugin("goroutineleak")
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPlugin(raw)
	if err != nil {
		return "", err
	}
	as, err := p.BuildAnalyzers()
	if err != nil || len(as) != 1 {
		t.Fatalf("BuildAnalyzers: %v, %d analyzers", err, len(as))
	}
	var flags []string
	for _, name := range []string{"recv", "send", "loop", "sync"} {
		flags = append(flags, name+"="+as[0].Flags.Lookup(name).Value.String())
	}
	if p.GetLoadMode() != register.LoadModeTypesInfo {
		t.Errorf("load mode %q", p.GetLoadMode())
	}
	return strings.Join(flags, " "), nil
}

func TestSettings(t *testing.T) {
	for _, tc := range []struct {
		raw  any
		want string
	}{
		{nil, "recv=true send=true loop=true sync=true"},
		{map[string]any{}, "recv=true send=true loop=true sync=true"},
		{map[string]any{"loop": false}, "recv=true send=true loop=false sync=true"},
		{map[string]any{"recv": false, "send": false}, "recv=false send=false loop=true sync=true"},
		{map[string]any{"sync": false}, "recv=true send=true loop=true sync=false"},
		{map[string]any{"recv": false}, "recv=false send=true loop=true sync=true"},
	} {
		got, err := build(t, tc.raw)
		if err != nil || got != tc.want {
			t.Errorf("settings %v: got %q, %v; want %q", tc.raw, got, err, tc.want)
		}
	}
}

func TestUnknownSetting(t *testing.T) {
	_, err := build(t, map[string]any{"loops": false})
	if err == nil || !strings.Contains(err.Error(), `unknown field "loops"`) || !strings.Contains(err.Error(), "known settings: recv, send, loop, sync, testfail") {
		t.Errorf("unknown key: got error %v", err)
	}
}

// TestSettingTypes: a value of the wrong type names its key and what it
// wants (golangci-lint prints the error as it is).
func TestSettingTypes(t *testing.T) {
	for _, tc := range []struct {
		raw  map[string]any
		want string
	}{
		{map[string]any{"testfail": "maybe"}, `goroutineleak settings: testfail: want true or false, got the string "maybe"`},
		{map[string]any{"loop": float64(1)}, `goroutineleak settings: loop: want true or false, got the number 1`},
		{map[string]any{"recv": nil}, `goroutineleak settings: recv: want true or false, got nothing`},
		{map[string]any{"sendfix": "both"}, `goroutineleak settings: sendfix: want buffer or select, got the string "both"`},
		{map[string]any{"sendfix": true}, `goroutineleak settings: sendfix: want buffer or select, got true`},
	} {
		_, err := build(t, tc.raw)
		if err == nil || err.Error() != tc.want {
			t.Errorf("settings %v: got error %v, want %s", tc.raw, err, tc.want)
		}
	}
}

// TestOneFixPerReport: golangci-lint applies every fix of a report, so the
// plugin's reports carry one, the one the goroutineleak command applies:
// the buffer, or with sendfix: select the select.
func TestOneFixPerReport(t *testing.T) {
	for _, tc := range []struct {
		raw  map[string]any
		want string
	}{
		{nil, "give out a buffer for every send: make(..., 1)"},
		{map[string]any{"sendfix": "select"}, "stop sending once done is closed"},
	} {
		newPlugin, err := register.GetPlugin("goroutineleak")
		if err != nil {
			t.Fatal(err)
		}
		p, err := newPlugin(tc.raw)
		if err != nil {
			t.Fatal(err)
		}
		as, err := p.BuildAnalyzers()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range analysistest.Run(t, analysistest.TestData(), as[0], "fx") {
			for _, d := range r.Diagnostics {
				if len(d.SuggestedFixes) != 1 || d.SuggestedFixes[0].Message != tc.want {
					var got []string
					for _, f := range d.SuggestedFixes {
						got = append(got, f.Message)
					}
					t.Errorf("settings %v: fixes %q, want only %q", tc.raw, got, tc.want)
				}
				if len(d.Related) != 0 {
					t.Errorf("settings %v: related positions %v: golangci-lint would make each an issue", tc.raw, d.Related)
				}
			}
		}
	}
}
