package gclplugin_test

import (
	"strings"
	"testing"

	"github.com/golangci/plugin-module-register/register"
	_ "github.com/goroutineleak/goroutineleak/cmd/gclplugin"
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
