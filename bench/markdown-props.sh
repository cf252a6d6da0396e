#!/usr/bin/env bash
# Markdown properties, at length: generated Markdown documents built into both pages (load, gemtext,
# HTML) for SECONDS (default 600), checking what the normal suite checks on 2,000 of them: no panic,
# pages no larger than 24 × their source + 4 KB, gemtext the line rules accept, HTML whose tags
# balance. Prints how many cases ran. Usage: bash bench/markdown-props.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
CAPSULE_PROPS_SECONDS=${1:-600} cargo test --release -q --bin capsule \
  render::props::markdown_properties_for_a_while -- --ignored --nocapture 2>&1 | grep -E "^markdown properties|panicked|Markdown:"
