#!/usr/bin/env bash
# Score detection on an evaluation corpus (real pages + truth.json + score.py),
# such as the one kept beside the project in ../shared/corpus. Not a test:
# the corpus is third-party content and is never copied into this repository.
#
# usage: scripts/score-corpus.sh [CORPUS_DIR] [--platforms x|other|all]
set -euo pipefail
corpus=${1:-../shared/corpus}
shift || true
platforms=${*:---platforms x}
if [ ! -f "$corpus/truth.json" ]; then
    echo "no corpus at $corpus (expected truth.json, score.py and pages/)" >&2
    exit 1
fi
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target/release/embarc --archive "$work/archive" archive "$corpus"/pages/*.html || true
target/release/embarc --archive "$work/archive" export citations --format jsonl --out "$work/citations.jsonl"
python3 "$corpus/score.py" "$corpus/truth.json" "$work/citations.jsonl" $platforms
