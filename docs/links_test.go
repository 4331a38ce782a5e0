// Package docs holds the user documentation's Markdown; its test checks
// that the README and the pages link to sections that exist.
package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/leaktest"
)

// pages are the Markdown files a user reads, relative to this directory.
var pages = []string{"../README.md", "integrations.md", "internals.md", "leaktest.md", "patterns.md", "production.md"}

var (
	linkRE    = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	headingRE = regexp.MustCompile(`(?m)^#{1,6} (.+)$`)
	fenceRE   = regexp.MustCompile("(?ms)^```.*?^```")
)

// anchors are the section anchors GitHub makes of a page's headings:
// lower case, punctuation other than '-' and '_' dropped, spaces as '-'.
func anchors(t *testing.T, page string) map[string]bool {
	t.Helper()
	text, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, m := range headingRE.FindAllStringSubmatch(fenceRE.ReplaceAllString(string(text), ""), -1) {
		var b strings.Builder
		for _, r := range strings.ToLower(strings.TrimSpace(m[1])) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
				b.WriteRune(r)
			}
		}
		out[b.String()] = true
	}
	return out
}

// TestLinks checks every relative link of the pages: the file it names
// exists, and so does the section it names.
func TestLinks(t *testing.T) {
	for _, page := range pages {
		text, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range linkRE.FindAllStringSubmatch(string(text), -1) {
			link := m[1]
			if strings.Contains(link, "://") {
				continue
			}
			file, anchor, _ := strings.Cut(link, "#")
			target := page
			if file != "" {
				target = filepath.Join(filepath.Dir(page), file)
				if _, err := os.Stat(target); err != nil {
					t.Errorf("%s: link %s: no file %s", page, link, target)
					continue
				}
			}
			if anchor != "" && !anchors(t, target)[anchor] {
				t.Errorf("%s: link %s: %s has no section %q", page, link, target, anchor)
			}
		}
	}
}

// TestPatternURLs checks that each report's URL lands on its pattern's
// section.
func TestPatternURLs(t *testing.T) {
	sections := anchors(t, "patterns.md")
	for _, row := range pattern.Patterns {
		url := row.Pattern.URL()
		page, anchor, _ := strings.Cut(url, "#")
		if page != pattern.DocsURL {
			t.Errorf("%s: URL %s is not on %s", row.Name, url, pattern.DocsURL)
		}
		if !sections[anchor] {
			t.Errorf("%s: URL %s: docs/patterns.md has no section %q", row.Name, url, anchor)
		}
	}
}

// TestReadmeStartsWithTheTwoCommands keeps the README's promise to a
// newcomer: its first code block runs the linter on the bundled example
// and runs the tests.
func TestReadmeStartsWithTheTwoCommands(t *testing.T) {
	text, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	first := fenceRE.FindString(string(text))
	for _, command := range []string{"go run ./cmd/goroutineleak ./testdata/example", "go test -short ./..."} {
		if !strings.Contains(first, command) {
			t.Errorf("the README's first code block does not run %q:\n%s", command, first)
		}
	}
}

// TestLeaktestSection keeps what the README and docs/leaktest.md tell a
// test author in step with the package: the form to prefer (Check as the
// first statement, no defer) and the variable that makes CI fail without
// the profile.
func TestLeaktestSection(t *testing.T) {
	for _, page := range []string{"../README.md", "leaktest.md"} {
		text, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(text), leaktest.RequireProfileEnv+"=1") {
			t.Errorf("%s does not say how to require the profile (%s=1)", page, leaktest.RequireProfileEnv)
		}
		if !regexp.MustCompile(`(?m)^\tleaktest\.Check\(t\)`).Match(text) {
			t.Errorf("%s has no example with leaktest.Check(t) as a statement, without defer", page)
		}
	}
}

// TestEditorCommandLines keeps docs/integrations.md's editor set-ups the
// tested ones: the golangci-lint-langserver command is the one
// .ci/golangci-e2e runs, and the VS Code settings do not pass --fast-only,
// which drops the plugin. (.ci/editor-nvim reads the Vim lines from the
// page itself.)
func TestEditorCommandLines(t *testing.T) {
	page, err := os.ReadFile("integrations.md")
	if err != nil {
		t.Fatal(err)
	}
	e2e, err := os.ReadFile("../.ci/golangci-e2e")
	if err != nil {
		t.Fatal(err)
	}
	command := regexp.MustCompile(`\["/absolute/path/to/bin/custom-gcl", (.*)\]`).FindSubmatch(page)
	if command == nil {
		t.Fatal("integrations.md has no golangci-lint-langserver command")
	}
	args := strings.ReplaceAll(strings.ReplaceAll(string(command[1]), `"`, ""), ", ", " ")
	if !strings.Contains(string(e2e), `"$bin" `+args) {
		t.Errorf(".ci/golangci-e2e does not run the documented langserver command %q", args)
	}
	vscode := regexp.MustCompile("(?s)```json\n(\\{\n  \"go.lintTool\"[^`]*)```").FindSubmatch(page)
	if vscode == nil {
		t.Fatal("integrations.md has no VS Code settings")
	}
	if strings.Contains(string(vscode[1]), "--fast-only") {
		t.Errorf("the VS Code settings pass --fast-only, which drops goroutineleak")
	}
}
