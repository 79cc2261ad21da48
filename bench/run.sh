#!/usr/bin/env bash
# spelunk's benchmark, in one run: see bench/README.md.
#
#   bench/run.sh [SIZE] [RESULTS.json]      SIZE: 100M, 1G (default), 10G; or BENCH_SIZE=100M
#
# Builds spelunk (release), generates SIZE of CloudTrail NDJSON with the project's generator
# (seed 7; kept in $BENCH_WORK between runs), installs DuckDB from PyPI into a venv, then
# measures (bench/bench.py): load + one detection cold (three detections), all project and
# corpus CloudTrail detections cold and warm (column cache), peak RSS of each, and DuckDB
# running hand-written SQL of the three detections on the same file.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
size="${1:-${BENCH_SIZE:-1G}}"
out="${2:-$here/results.json}"
work="${BENCH_WORK:-${TMPDIR:-/tmp}/spelunk-bench}"
corpus="${BENCH_CORPUS:-$repo/../shared/corpus/security_content}"
mkdir -p "$work"

echo "== building spelunk and the generator (release)" >&2
(cd "$repo" && cargo build --release -j"${BENCH_JOBS:-2}" --bin spelunk --example gen_cloudtrail >&2)
target="${CARGO_TARGET_DIR:-$repo/target}"
spelunk="$target/release/spelunk"
gen="$target/release/examples/gen_cloudtrail"

data="$work/cloudtrail-$size-seed7.ndjson"
if [ ! -s "$data" ]; then
  echo "== generating $size of CloudTrail NDJSON: $data" >&2
  "$gen" --size "$size" --seed 7 > "$data.part"
  mv "$data.part" "$data"
fi

venv="$work/venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import duckdb" 2>/dev/null; then
  echo "== installing DuckDB from PyPI into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip >&2
  "$venv/bin/pip" install --quiet duckdb >&2
fi

if [ ! -d "$corpus/detections/cloud" ]; then
  echo "warning: no security_content corpus at $corpus (BENCH_CORPUS); project detections only" >&2
  corpus=""
fi

echo "== measuring" >&2
python3 "$here/bench.py" --spelunk "$spelunk" --data "$data" --repo "$repo" --corpus "$corpus" \
  --work "$work" --python "$venv/bin/python" --out "$out"
