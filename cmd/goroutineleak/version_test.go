package main

import (
	"runtime/debug"
	"testing"
)

func TestVersionLine(t *testing.T) {
	for _, tc := range []struct {
		info *debug.BuildInfo
		want string
	}{
		{nil, "goroutineleak version (devel)"},
		{&debug.BuildInfo{GoVersion: "go1.27.3", Main: debug.Module{Version: "v1.4.0"}},
			"goroutineleak version v1.4.0 go1.27.3"},
		{&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261127153736-1ef79fc2242d+dirty"}, Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "1ef79fc2242dff6e15e1beced35d83c1a54efe3b"},
			{Key: "vcs.time", Value: "2026-11-27T15:37:36Z"},
			{Key: "vcs.modified", Value: "true"},
		}}, "goroutineleak version v0.0.0-20261127153736-1ef79fc2242d+dirty vcs.revision=1ef79fc2242dff6e15e1beced35d83c1a54efe3b vcs.modified=true go1.26.8"},
		{&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "abc"},
			{Key: "vcs.modified", Value: "false"},
		}}, "goroutineleak version (devel) vcs.revision=abc go1.26.8"},
	} {
		if got := versionLine(tc.info); got != tc.want {
			t.Errorf("versionLine:\n got %q\nwant %q", got, tc.want)
		}
	}
}
