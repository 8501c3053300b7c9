#!/usr/bin/env bash
# Measures the workbench on a 100,000-loan demo book: build time and peak RSS of the book, then
# bytes and latency per key at 120x40 and 80x24 with ttyprobe (figures only; nothing asserted).
#
# Usage: scripts/measure-terminal.sh [OUTDIR]      (default OUTDIR: /tmp/pl-measure)
# Env:   SHARED=path/to/shared (default: ../shared next to the project, else /work/shared)
#        BOOK=/tmp/pl-100k.db  LOANS=100000  SEED=42  KEEP_BOOK=1 (reuse an existing book)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="${1:-/tmp/pl-measure}"
book="${BOOK:-/tmp/pl-100k.db}"
loans="${LOANS:-100000}"
seed="${SEED:-42}"
shared="${SHARED:-$root/../shared}"
[ -d "$shared/tools/ttyprobe" ] || shared=/work/shared
probe="$shared/tools/ttyprobe/ttyprobe.py"
bin="$root/target/release/postloan"
mkdir -p "$out"

# Log, config and data of the runs stay out of the real home.
home="$out/home"
mkdir -p "$home"
isolated=(HOME="$home" XDG_STATE_HOME="$home/state" XDG_CONFIG_HOME="$home/config"
          XDG_DATA_HOME="$home/data" LANG=en_US.UTF-8)

echo "== cargo build --release"
cargo build --release --quiet

echo "== building the demo book: $loans loans, seed $seed -> $book"
if [ "${KEEP_BOOK:-0}" = 1 ] && [ -f "$book" ]; then
    echo "(KEEP_BOOK=1: reusing $book)"
else
    env "${isolated[@]}" /usr/bin/time -v -o "$out/build-time.txt" \
        "$bin" demo --loans "$loans" --seed "$seed" --no-tui --fresh --db "$book"
    grep -E 'Elapsed \(wall clock\)|Maximum resident set size|User time|System time' \
        "$out/build-time.txt"
    ls -l "$book"
fi

keys='2 repeat:30:j repeat:10:PgDn repeat:5:PgUp G g / 江 苏 Enter / Esc / P L 0 0 0 1 2 Enter G / Esc sleep:10000 q'

for size in 120x40 80x24; do
    cols="${size%x*}"
    rows="${size#*x}"
    echo
    echo "== ttyprobe at $size"
    python3 "$probe" --cols "$cols" --rows "$rows" --keys "$keys" -q \
        --json "$out/probe-$size.json" --dump "$out/probe-$size.raw" \
        --env "${isolated[@]}" -- \
        /usr/bin/time -v -o "$out/rss-$size.txt" "$bin" demo --db "$book"
    python3 "$root/scripts/summarize-probe.py" "$out/probe-$size.json" "$out/probe-$size.raw" \
        "$out/rss-$size.txt"
done
