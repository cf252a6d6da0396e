#!/usr/bin/env bash
# Peak memory of capsule on a 2-hour track: decoding and encoding stream, so memory stays flat
# whatever the length. Makes a 2-hour stereo FLAC (a slow sweep with noise), builds a playlist of it
# with Opus and MP3, and prints wall time and peak RSS next to those of a 2-minute track.
#
# Usage: bench/long-audio.sh [WORKDIR]      Needs: ffmpeg, /usr/bin/time (Debian: time).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
work=${1:-$(mktemp -d)}
for minutes in 2 120; do
  site=$work/site-$minutes
  rm -rf "$site" && mkdir -p "$site/content/playlists/long"
  # Two hours of music is over a 100 MB site budget: this measures memory, not budgets.
  printf '[budget]\nhtml = "none"\naudio = "none"\n' > "$site/capsule.toml"
  ffmpeg -v error -f lavfi -i "sine=frequency=220:beep_factor=3:duration=$((minutes * 60))" \
    -f lavfi -i "anoisesrc=color=pink:amplitude=0.05:duration=$((minutes * 60))" \
    -filter_complex "[0][1]amix=inputs=2,aformat=channel_layouts=stereo" -ar 44100 -c:a flac \
    "$site/content/playlists/long/track.flac"
  /usr/bin/time -f "$minutes min: %e s wall, peak RSS %M KB" target/release/capsule build --root "$site" --quiet
  ls -l "$site/public/html/playlists/long/"
done
