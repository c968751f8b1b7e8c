#!/usr/bin/env bash
# Corpus timing from issue 2: archiving the corpus pages copied 20 times must
# take under a tenth of the time a BeautifulSoup + lxml script needs just to
# extract the tweet ids from the same files.
#
# usage: scripts/bench-corpus.sh [PAGES_DIR] [--copies N] [--keep]
#
#   PAGES_DIR   the corpus pages (default: ../shared/corpus/pages, relative to
#               the repository root)
#   --copies N  copies of each page (default 20: ~420 pages, ~85 MB)
#   --keep      keep the temporary directory and print its path
#
# Needs python3 with BeautifulSoup and lxml (pip install beautifulsoup4 lxml)
# and GNU time (/usr/bin/time). Not part of `cargo test` or CI: it reads the
# shared corpus, which the repository does not hold.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
pages=""
copies=20
keep=0
while [ $# -gt 0 ]; do
    case "$1" in
    --copies) copies="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench-corpus: unknown option $1" >&2; exit 2 ;;
    *) pages="$1"; shift ;;
    esac
done
pages="${pages:-$root/../shared/corpus/pages}"

if [ ! -d "$pages" ]; then
    echo "bench-corpus: no pages directory at $pages (pass one as the first argument)" >&2
    exit 2
fi
if [ ! -x /usr/bin/time ]; then
    echo "bench-corpus: needs GNU time at /usr/bin/time (apt-get install time)" >&2
    exit 2
fi
if ! python3 -c 'import bs4, lxml' 2>/dev/null; then
    echo "bench-corpus: the Python baseline needs BeautifulSoup and lxml; install them with:" >&2
    echo "    pip install beautifulsoup4 lxml" >&2
    exit 2
fi

echo "== building embarc (release; not timed)"
(cd "$root" && cargo build --release --quiet --bin embarc)
embarc="$root/target/release/embarc"

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
echo "== corpus: $n pages, $mb MB ($copies copies of $pages)"
# Warm the page cache so neither side pays for the first read.
cat "$tmp/pages"/* >/dev/null

echo "== python3 scripts/baseline_bs4.py (BeautifulSoup + lxml, tweet ids only)"
/usr/bin/time -f '%e %U %S %M' -o "$tmp/py.time" \
    python3 "$root/scripts/baseline_bs4.py" "$tmp/pages" >"$tmp/py.out"
cat "$tmp/py.out"

echo "== embarc archive (fresh archive, $(nproc) cores)"
rc=0
/usr/bin/time -f '%e %U %S %M' -o "$tmp/embarc.time" \
    "$embarc" --archive "$tmp/archive" archive "$tmp/pages" 2>"$tmp/embarc.err" || rc=$?
sed 's/^/    /' "$tmp/embarc.err"
if [ "$rc" != 0 ]; then
    echo "bench-corpus: embarc exited with $rc" >&2
fi

# Tweet ids embarc found, counted like the Python script (distinct per page,
# summed); embeds only, and with plain status links too. Not timed.
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

read -r py_wall py_user py_sys py_rss <"$tmp/py.time"
read -r em_wall em_user em_sys em_rss <"$tmp/embarc.time"
py_ids=$(awk '{ print $4 }' "$tmp/py.out")
echo
printf '%-28s %8s %8s %8s %9s  %s\n' "" "wall s" "user s" "sys s" "max RSS" "tweet ids"
printf '%-28s %8s %8s %8s %7d MB  %s\n' "python bs4+lxml" "$py_wall" "$py_user" "$py_sys" "$((py_rss / 1024))" "$py_ids"
printf '%-28s %8s %8s %8s %7d MB  %s\n' "embarc archive" "$em_wall" "$em_user" "$em_sys" "$((em_rss / 1024))" \
    "$embarc_embeds embeds ($embarc_all with links)"
awk -v e="$em_wall" -v p="$py_wall" -v mb="$mb" 'BEGIN {
    r = e / p
    printf "\nthroughput: embarc %.1f MB/s, python %.1f MB/s\n", mb / e, mb / p
    printf "ratio embarc / python = %.3f (target < 0.1)  %s\n", r, (r < 0.1 ? "PASS" : "FAIL")
}'
exit "$rc"
