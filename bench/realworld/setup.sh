#!/usr/bin/env bash
# setup.sh DIR: for each module of modules.txt, make a scratch module in
# DIR/<name> that requires it at its pinned version, as a user would, and
# write to DIR/<name>/packages.txt the module's packages that load, tests
# included, without errors.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:?usage: setup.sh DIR}
mkdir -p "$dir"
grep -v '^#' "$here/modules.txt" | while read -r mod version; do
	[ -n "$mod" ] || continue
	name=$(echo "$mod" | tr '/.' '__')
	work="$dir/$name"
	if [ -s "$work/packages.txt" ]; then continue; fi
	mkdir -p "$work"
	(
		cd "$work" || exit 1
		printf 'module scratch/%s\n\ngo 1.26.0\n' "$name" > go.mod
		go get "$mod@$version" > get.log 2>&1
		# The module's own packages (nested modules are not in the build
		# list), then what their tests import.
		go list -e "$mod/..." 2>/dev/null > all.txt
		go get -t $(cat all.txt) >> get.log 2>&1 || true
		# Keep the packages all of whose variants (package, test package,
		# external test package) load.
		go list -e -test -f '{{.ImportPath}} {{if or .Error .DepsErrors}}bad{{else}}ok{{end}}' $(cat all.txt) 2>> get.log |
			awk '{ p = $1; sub(/\.test$/, "", p); sub(/_test$/, "", p); if ($NF == "bad") bad[p] = 1; seen[p] = 1 }
			     END { for (p in seen) if (!bad[p]) print p }' | sort > packages.txt
		echo "$mod@$version: $(wc -l < packages.txt) of $(wc -l < all.txt) packages load with their tests"
	)
done
