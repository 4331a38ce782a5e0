#!/bin/sh
# Runs the shared real-bug corpus (../shared/realbugs beside this repository) on this checkout:
# builds the linter and a wrapper that turns on -testfail, runs the shared runner (run.py) on the
# cases in JOBS parts side by side, and scores the run with the shared scorer (score.py --list).
#
# usage: MIRRORS=DIR bench/realbugs/run.sh [OUT] [run.py options, e.g. --only ID,ID]
#   MIRRORS   the folder of OWNER+NAME/repo bare git directories (see README.md)
#   REALBUGS  the corpus (default: ../shared/realbugs from the repository's root)
#   JOBS      parts run side by side (default 2)
# OUT (default: a new temporary folder) gets results.tsv, dump/, log*.txt, score.txt and summary.tsv
# (the format of bench/realbugs/results.tsv: diff the two to see what changed).
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

# The compact per-case file that bench/realbugs/results.tsv holds: the scorer's verdict (HIT, TF or
# miss) beside the runner's counts, and the counts without the testleak category (default patterns).
python3 - "$out" "$corpus/cases.tsv" >"$out/summary.tsv" <<'PY'
import json, os, sys
out, cases = sys.argv[1], sys.argv[2]
verdict = {l.split()[1]: l.split()[0] for l in open(os.path.join(out, "score.txt"))
           if l[:4] in ("HIT ", "TF  ", "miss")}
def default(cid, which):
    f = os.path.join(out, "dump", f"{cid}.{which}.json")
    if not os.path.exists(f):
        return "-"
    return str(sum(d.get("category") != "testleak" for d in json.load(open(f))["diags"]))
print("id\tkind\tscope\tstatus\thit\tgone_after_fix\tdiags_buggy\tdiags_fixed\tdefault_buggy\tdefault_fixed")
rows = {}
for line in open(os.path.join(out, "results.tsv")):
    r = line.rstrip("\n").split("\t")
    if r[0] != "id" and not r[0].startswith("#"):
        rows[r[0]] = r
for line in open(cases):  # in the corpus's order
    cid = line.split("\t")[0]
    if cid not in rows:
        continue
    r = rows[cid]
    print("\t".join([r[0], r[6], r[7], r[1], verdict.get(r[0], "-"), r[3], r[4], r[5],
                     default(r[0], "buggy"), default(r[0], "fixed")]))
PY
echo "run: $((end - start)) s; results in $out"
