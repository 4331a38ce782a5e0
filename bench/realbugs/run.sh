#!/bin/sh
# Runs the shared real-bug corpus (../shared/realbugs beside this repository) on this checkout:
# builds the linter and a wrapper that turns on -testfail, runs the shared runner (run.py) on the
# cases in JOBS parts side by side, and scores the run with the shared scorer (score.py --list).
#
# usage: MIRRORS=DIR bench/realbugs/run.sh [OUT] [run.py options, e.g. --only ID,ID]
#   MIRRORS   the folder of OWNER+NAME/repo bare git directories (see README.md)
#   REALBUGS  the corpus (default: ../shared/realbugs from the repository's root)
#   JOBS      parts run side by side (default 2)
# OUT (default: a new temporary folder) gets results.tsv, dump/, log*.txt and score.txt.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
corpus=${REALBUGS:-$root/../shared/realbugs}
jobs=${JOBS:-2}
: "${MIRRORS:?set MIRRORS to the folder of OWNER+NAME/repo git directories}"
export MIRRORS
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
	out=$1
	shift
else
	out=$(mktemp -d)
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

(cd "$root" && go build -o "$out/goroutineleak" ./cmd/goroutineleak)
printf '#!/bin/sh\nexec %s -testfail "$@"\n' "$out/goroutineleak" >"$out/gl"
chmod +x "$out/gl"

# The cases, dealt round-robin into JOBS files (comment lines kept in each).
i=0
while [ "$i" -lt "$jobs" ]; do
	awk -v n="$jobs" -v k="$i" '/^#/ || !NF { print; next } { if (c++ % n == k) print }' \
		"$corpus/cases.tsv" >"$out/cases$i.tsv"
	i=$((i + 1))
done

start=$(date +%s)
i=0
while [ "$i" -lt "$jobs" ]; do
	python3 "$corpus/run.py" "$out/gl" "$out/cases$i.tsv" --dump "$out/dump" "$@" \
		>"$out/results$i.tsv" 2>"$out/log$i.txt" &
	i=$((i + 1))
done
wait
end=$(date +%s)

awk 'NR == 1 || FNR > 1' "$out"/results[0-9]*.tsv >"$out/results.tsv"
python3 "$corpus/score.py" "$out/results.tsv" "$out/dump" --list | tee "$out/score.txt"
echo "run: $((end - start)) s; results in $out"
