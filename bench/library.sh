#!/usr/bin/env bash
# Music library benchmark: builds the library (artists, albums, genres, curators and every
# recommendation) of generated sites of 5,000, 10,000 and 20,000 tracks (tags only, no audio), with the
# release build, and prints the best of RUNS runs of each, with the work done (pairs of tracks that share
# a playlist or a genre) and the cost per pair relative to the 5,000-track site, measured in the same run:
# a ratio near 1 means the cost grows as tracks × (tracks sharing a playlist or a genre), no faster.
#
# Usage: bash bench/library.sh        (about a minute on 2 cores; RUNS=5 for steadier figures)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3} cargo test --release -q --bin capsule library::tests::bench_library -- --ignored --nocapture 2>&1 \
  | grep -E "^library of"
