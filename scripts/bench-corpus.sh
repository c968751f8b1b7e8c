#!/usr/bin/env bash
# Corpus timing (issues 2 and 17): archive the corpus pages copied 20 times with
# `embarc archive` into a fresh archive, and time it against a selectolax
# (lexbor) peer, scripts/peer_selectolax.py, that only extracts tweet ids from
# the same files on as many worker processes as embarc has cores. Prints the
# median wall time of each and the ratio peer / embarc (>= 1.0: embarc is at
# least as fast). When BeautifulSoup and lxml are installed it also times
# scripts/baseline_bs4.py (one core) and checks issue 2's target, embarc under
# a tenth of its time; without them that baseline is skipped.
#
# usage: scripts/bench-corpus.sh [PAGES_DIR] [--copies N] [--runs N] [--keep]
#
#   PAGES_DIR   the corpus pages (default: ../shared/corpus/pages, relative to
#               the repository root)
#   --copies N  copies of each page (default 20: ~420 pages, ~85 MB)
#   --runs N    timed runs of each program, interleaved (embarc, peer[, bs4],
#               embarc, peer, ...); medians are reported (default 3)
#   --keep      keep the temporary directory and print its path
#
# EMBARC_BIN=PATH times that binary instead of building target/release/embarc.
#
# Needs GNU time (/usr/bin/time) and python3 with selectolax (pip install
# selectolax); beautifulsoup4 and lxml are optional. Not part of `cargo test`
# or CI: it reads the shared corpus, which the repository does not hold.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
pages=""
copies=20
runs=3
keep=0
while [ $# -gt 0 ]; do
    case "$1" in
    --copies) copies="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench-corpus: unknown option $1" >&2; exit 2 ;;
    *) pages="$1"; shift ;;
    esac
done
pages="${pages:-$root/../shared/corpus/pages}"

if [ ! -d "$pages" ]; then
    echo "bench-corpus: no pages directory at $pages (pass one as the first argument)" >&2
    exit 2
fi
if ! [[ "$runs" =~ ^[1-9][0-9]*$ && "$copies" =~ ^[1-9][0-9]*$ ]]; then
    echo "bench-corpus: --runs and --copies take a positive whole number" >&2
    exit 2
fi
if [ ! -x /usr/bin/time ]; then
    echo "bench-corpus: needs GNU time at /usr/bin/time (apt-get install time)" >&2
    exit 2
fi
if ! python3 -c 'import selectolax' 2>/dev/null; then
    echo "bench-corpus: the selectolax peer needs selectolax; install it with:" >&2
    echo "    pip install selectolax" >&2
    exit 2
fi
bs4=1
if ! python3 -c 'import bs4, lxml' 2>/dev/null; then
    bs4=0
    echo "== skipping the BeautifulSoup baseline: bs4 or lxml is missing (pip install beautifulsoup4 lxml)"
fi

if [ -n "${EMBARC_BIN:-}" ]; then
    embarc="$EMBARC_BIN"
    if [ ! -x "$embarc" ]; then
        echo "bench-corpus: EMBARC_BIN=$embarc is not an executable file" >&2
        exit 2
    fi
    echo "== using $embarc (EMBARC_BIN; not built)"
else
    echo "== building embarc (release; not timed)"
    (cd "$root" && cargo build --release --quiet --bin embarc)
    embarc="$root/target/release/embarc"
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/embarc-bench.XXXXXX")"
if [ "$keep" = 1 ]; then
    echo "== keeping $tmp"
else
    trap 'rm -rf "$tmp"' EXIT
fi
mkdir -p "$tmp/pages"
n=0
for ((i = 1; i <= copies; i++)); do
    for f in "$pages"/*.html "$pages"/*.htm; do
        [ -f "$f" ] || continue
        cp "$f" "$tmp/pages/$(printf 'copy%02d' "$i")-$(basename "$f")"
        n=$((n + 1))
    done
done
bytes=$(du -sb "$tmp/pages" | cut -f1)
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
cores=$(nproc)
echo "== corpus: $n pages, $bytes bytes ($mb MB; $copies copies of $pages)"
# Warm the page cache so no side pays for the first read.
cat "$tmp/pages"/* >/dev/null

# Each timed run appends `wall user sys maxrss_kb` to $tmp/NAME.times.
timed() {
    local name="$1"
    shift
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/$name.time" "$@"
    cat "$tmp/$name.time" >>"$tmp/$name.times"
}

rc=0
for ((r = 1; r <= runs; r++)); do
    echo "== run $r of $runs"
    # A fresh archive each run; removing the last one is not timed.
    rm -rf "$tmp/archive"
    run_rc=0
    timed embarc "$embarc" --archive "$tmp/archive" archive "$tmp/pages" 2>"$tmp/embarc.err" || run_rc=$?
    echo "   embarc archive ($cores cores): $(cut -d' ' -f1 "$tmp/embarc.time") s"
    sed 's/^/      /' "$tmp/embarc.err"
    if [ "$run_rc" != 0 ]; then
        echo "bench-corpus: embarc exited with $run_rc" >&2
        [ "$rc" != 0 ] || rc=$run_rc
    fi
    timed peer python3 "$root/scripts/peer_selectolax.py" "$tmp/pages" --workers "$cores" >"$tmp/peer.out"
    echo "   selectolax peer ($cores workers): $(cut -d' ' -f1 "$tmp/peer.time") s  [$(cat "$tmp/peer.out")]"
    if [ "$bs4" = 1 ]; then
        timed bs4 python3 "$root/scripts/baseline_bs4.py" "$tmp/pages" >"$tmp/bs4.out"
        echo "   bs4 + lxml baseline (1 core): $(cut -d' ' -f1 "$tmp/bs4.time") s  [$(cat "$tmp/bs4.out")]"
    fi
done

# Tweet ids embarc found in the last run, counted like the Python scripts
# (distinct per page, summed): embeds only, and with plain status links too.
# Not timed.
"$embarc" --archive "$tmp/archive" export citations --format jsonl >"$tmp/citations.jsonl"
read -r embarc_embeds embarc_all < <(python3 - "$tmp/citations.jsonl" <<'EOF'
import json, sys
embeds, every = set(), set()
for line in open(sys.argv[1], encoding="utf-8"):
    c = json.loads(line)
    if c.get("platform") == "x" and c.get("post_id"):
        key = (c["article_url"], c["post_id"])
        every.add(key)
        if c.get("kind") == "embed":
            embeds.add(key)
print(len(embeds), len(every))
EOF
)

# Median of each column (wall, user, sys, max RSS) over the runs in a .times file.
medians() {
    local col
    for col in 1 2 3 4; do
        cut -d' ' -f"$col" "$1" | sort -g | awk '{ v[NR] = $1 } END {
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%s ", m
        }'
    done
    echo
}
runs_of() { cut -d' ' -f1 "$1" | paste -sd' ' -; }

read -r em_wall em_user em_sys em_rss < <(medians "$tmp/embarc.times")
read -r pe_wall pe_user pe_sys pe_rss < <(medians "$tmp/peer.times")
pe_ids=$(awk '{ print $4 " ids, " $6 " unique" }' "$tmp/peer.out")
echo
echo "medians of $runs run(s); $n pages, $bytes bytes"
row() { printf '%-30s %8.2f %8.2f %8.2f %7d MB  %s\n' "$1" "$2" "$3" "$4" "$(awk -v k="$5" 'BEGIN { print int(k / 1024) }')" "$6"; }
printf '%-30s %8s %8s %8s %10s  %s\n' "" "wall s" "user s" "sys s" "max RSS" "tweet ids"
row "embarc archive ($cores cores)" "$em_wall" "$em_user" "$em_sys" "$em_rss" \
    "$embarc_embeds embeds ($embarc_all with links)"
row "selectolax peer ($cores workers)" "$pe_wall" "$pe_user" "$pe_sys" "$pe_rss" "$pe_ids"
if [ "$bs4" = 1 ]; then
    read -r py_wall py_user py_sys py_rss < <(medians "$tmp/bs4.times")
    row "bs4 + lxml baseline (1 core)" "$py_wall" "$py_user" "$py_sys" "$py_rss" \
        "$(awk '{ print $4 }' "$tmp/bs4.out") embeds"
fi
echo
echo "wall per run: embarc $(runs_of "$tmp/embarc.times"); peer $(runs_of "$tmp/peer.times")$(
    [ "$bs4" = 1 ] && echo "; bs4 $(runs_of "$tmp/bs4.times")")"
awk -v e="$em_wall" -v p="$pe_wall" -v mb="$mb" 'BEGIN {
    printf "throughput: embarc %.1f MB/s, selectolax peer %.1f MB/s\n", mb / e, mb / p
    r = p / e
    printf "ratio peer / embarc = %.3f (>= 1.0: embarc at least as fast)  %s\n", r,
        (r >= 1.0 ? "embarc at least as fast" : "peer faster")
}'
if [ "$bs4" = 1 ]; then
    awk -v e="$em_wall" -v p="$py_wall" 'BEGIN {
        r = e / p
        printf "ratio embarc / bs4 = %.3f (issue 2 target < 0.1)  %s\n", r, (r < 0.1 ? "PASS" : "FAIL")
    }'
fi
exit "$rc"
