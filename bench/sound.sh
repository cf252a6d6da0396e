#!/usr/bin/env bash
# Recommendations that listen: does a track's "more like this" hold tracks of its own kind when nothing
# is tagged? Builds a site of real recordings of four clearly different kinds with every tag stripped and
# one playlist per recording (so no two tracks share a playlist, a genre or an artist; one curator), once
# with `[library] listen = false` (tags only: before) and once with it on (after), and counts how many of
# each track's first three recommendations are of its own kind (precision at 3), against chance. It also
# times the analysis (seconds of CPU per hour of music, beside the encodes'), and measures the memory
# it adds to a build of one 31-minute recording (of which it hears 3 minutes).
#
# Usage: bash bench/sound.sh [WORKDIR]      (about 10 minutes on 2 cores; run it on an idle machine)
# Needs: ffmpeg, fluidsynth and fluid-soundfont-gm (Debian), apt-get download (Debian 12 sources), python3.
#
# The recordings (downloaded by the script, never committed), 10 of each kind, 90 s from each one's middle:
#   ambient      singularity-music (Debian): Maxstack's music for Endgame: Singularity, CC-BY-SA
#   orchestral   wesnoth-1.16-music (Debian): The Battle for Wesnoth's orchestral score, GPL
#   solo piano   pianobooster (Debian): its courses' MIDI pieces, played by fluidsynth with FluidR3_GM's
#                sampled grand piano (fluid-soundfont-gm)
#   speech       klettres-data (Debian): the alphabet read by KLettres's speakers, one language each, GPL
# The files are renamed r01 to r40 in an order that does not follow the kinds, so that no name (and no
# slug order, which breaks ties) tells a kind.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=${1:-$repo/target/bench-sound}
source bench/debian.sh
need ffmpeg ffprobe fluidsynth apt-get dpkg-deb python3 cargo
need_soundfont
cargo build --release -q
capsule=$repo/target/release/capsule
mkdir -p "$work/downloads"
echo "work folder: $work"

dl=$work/downloads
fetch_deb singularity-music
fetch_deb wesnoth-1.16-music
fetch_deb pianobooster
fetch_deb klettres-data

# --- the recordings: 90 s from the middle, no tags, as FLAC ---------------------------------------------
rec=$work/recordings
rm -rf "$rec" && mkdir -p "$rec"
kinds=$rec/kinds.txt
: > "$kinds"
excerpt() { # KIND NAME SOURCE
  local len start
  len=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$3")
  start=$(python3 -c "print(max(0.0, ($len - 90) / 2))")
  ffmpeg -v error -y -ss "$start" -t 90 -i "$3" -map_metadata -1 -map 0:a -ac 2 -ar 44100 -c:a flac "$rec/$2.flac"
  echo "$2 $1" >> "$kinds"
}
s=$dl/singularity-music/usr/share/games/singularity/music
i=0
for f in "A New Journey" Aberrations "Advanced Simulacra" Awakening By-Product Coherence Deprecation \
         Inevitable Nebula "Through Space"; do
  i=$((i + 1)); excerpt ambient "ambient-$i" "$s/$f.ogg"
done
w=$dl/wesnoth-1.16-music/usr/share/games/wesnoth/1.16/data/core/music
i=0
for f in battle-epic elvish-theme heroes_rite journeys_end knolls legends_of_the_north love_theme \
         northern_mountains the_city_falls wanderer; do
  i=$((i + 1)); excerpt orchestral "orchestral-$i" "$w/$f.ogg"
done
p=$dl/pianobooster/usr/share/doc/pianobooster/courses
i=0
for f in "$p"/BoosterMusic/*.mid* "$p"/BeginnerCourse/0[1346]-*.mid; do
  i=$((i + 1))
  mid=$work/piano-$i.mid
  case "$f" in *.gz) gunzip -c "$f" > "$mid" ;; *) cp "$f" "$mid" ;; esac
  fluidsynth -ni -q -g 0.6 -r 44100 -F "$work/piano-$i.wav" "$sf2" "$mid" >/dev/null 2>&1
  excerpt piano "piano-$i" "$work/piano-$i.wav"
  [ "$i" -ge 10 ] && break
done
k=$dl/klettres-data/usr/share/klettres
i=0
for lang in en fr de es it nl ru cs hu uk; do
  i=$((i + 1))
  list=$work/speech-$i.txt
  : > "$list"
  for f in "$k/$lang"/alpha/*.ogg; do echo "file '$f'" >> "$list"; done
  ffmpeg -v fatal -y -f concat -safe 0 -i "$list" -ar 44100 "$work/speech-$i.wav"
  excerpt speech "speech-$i" "$work/speech-$i.wav"
done

# --- the site: one playlist per recording, names that hide the kinds ------------------------------------
python3 "$repo/bench/sound-site.py" "$rec" "$work/site"

run_build() { # LISTEN -> prints the CPU seconds of the build
  local site=$work/site
  sed -i "s/^listen = .*/listen = $1/" "$site/capsule.toml"
  rm -rf "$site/.capsule-cache" "$site/public"
  /usr/bin/time -f "%U %S %e" -o "$work/time-$1.txt" "$capsule" build --root "$site" --quiet
  cp -r "$site/public" "$work/public-$1"
}
rm -rf "$work"/public-*
run_build false
run_build true
python3 "$repo/bench/sound-site.py" --score "$work/site" "$work/public-false" "$work/public-true" \
  "$work/time-false.txt" "$work/time-true.txt"

# --- the memory of listening to a long recording ---------------------------------------------------------
long=$work/long
rm -rf "$long" && mkdir -p "$long/content/playlists/mix"
ls "$w"/*.ogg | head -12 | sed "s|^|file '|;s|$|'|" > "$work/long.txt"
ffmpeg -v fatal -y -f concat -safe 0 -i "$work/long.txt" -c:a flac "$long/content/playlists/mix/mix.flac"
printf '+++\ntitle = "Long"\n+++\n' > "$long/content/index.md"
printf '+++\ntitle = "A long mix"\ncurator = "Bench"\n+++\n' > "$long/content/playlists/mix/index.md"
minutes=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$long/content/playlists/mix/mix.flac" \
  | python3 -c "print(round(float(input()) / 60))")
for listen in false true; do
  printf 'title = "Long"\n\n[library]\nlisten = %s\n' "$listen" > "$long/capsule.toml"
  rm -rf "$long/.capsule-cache" "$long/public"
  /usr/bin/time -f "%M" -o "$work/peak-$listen.txt" "$capsule" build --root "$long" --quiet
done
echo "one recording of $minutes minutes, first build's peak memory: $(( $(cat "$work/peak-false.txt") / 1024 )) MB" \
  "without listening, $(( $(cat "$work/peak-true.txt") / 1024 )) MB with"
