package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

// versionFlag is -V, which go vet runs as -V=full before it runs a vet
// tool: it keys its cache of vet results by the output. cmd/go's toolID
// wants "NAME version VERSION ...", and a VERSION with "devel" in it must
// end in "buildID=..."; any other line is used as the key whole. The line
// ends in the executable's hash either way, so a rebuilt tool never reuses
// the results of the old one.
type versionFlag struct{}

func (versionFlag) IsBoolFlag() bool { return true }
func (versionFlag) Get() any         { return nil }
func (versionFlag) String() string   { return "" }

func (versionFlag) Set(s string) error {
	switch s {
	case "true":
		fmt.Println(versionLine(readBuildInfo()))
	case "full":
		id, err := buildID()
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: -V=full: %v\n", progname, err)
			os.Exit(1)
		}
		fmt.Printf("%s buildID=%s\n", versionLine(readBuildInfo()), id)
	default:
		return fmt.Errorf("want -V or -V=full")
	}
	os.Exit(0)
	return nil
}

func readBuildInfo() *debug.BuildInfo {
	info, _ := debug.ReadBuildInfo()
	return info
}

// versionLine is "goroutineleak version MODULE-VERSION [vcs.revision=...]
// [vcs.modified=true] GO-VERSION", from the build info (nil if there is
// none).
func versionLine(info *debug.BuildInfo) string {
	fields := []string{progname, "version"}
	if info == nil {
		return strings.Join(append(fields, "(devel)"), " ")
	}
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	fields = append(fields, version)
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision":
			fields = append(fields, "vcs.revision="+s.Value)
		case s.Key == "vcs.modified" && s.Value == "true":
			fields = append(fields, "vcs.modified=true")
		}
	}
	return strings.Join(append(fields, info.GoVersion), " ")
}

// buildID is the SHA-256 of the running executable, in hex.
func buildID() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("finding the executable: %w", err)
	}
	f, err := os.Open(exe)
	if err != nil {
		return "", fmt.Errorf("reading the executable: %w", err)
	}
	h := sha256.New()
	_, err = io.Copy(h, f)
	_ = f.Close() // read only
	if err != nil {
		return "", fmt.Errorf("reading the executable: %w", err)
	}
	return fmt.Sprintf("%x", h.Sum(nil)), nil
}
