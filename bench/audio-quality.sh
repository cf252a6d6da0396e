#!/usr/bin/env bash
# Audio quality benchmark: bytes per hour and ViSQOL (audio mode) scores of capsule's own Opus and MP3
# encodes at several settings, on real recordings of several kinds. It makes the table of the README's
# "Audio: bytes per hour and listening quality" section, from which capsule's presets are chosen.
#
# Usage: bash bench/audio-quality.sh [WORKDIR]      (about 15 minutes on 2 cores; run it on an idle machine)
# Needs: ffmpeg, fluidsynth and fluid-soundfont-gm (Debian), apt-get download (Debian 12 sources), cargo.
#
# The recordings (downloaded by the script, never committed):
#   ambient       singularity-music (Debian): "Awakening", "Nebula" by Maxstack, CC-BY-SA, Vorbis 48 kHz
#   orchestral    hyperrogue-music (Debian): "Caves", "Desert", "Savino palace", CC-BY-SA, Vorbis 440 kb/s
#   solo piano    pianobooster (Debian): "Clair de lune" and "Greensleeves" (MIDI), played by fluidsynth
#                 with FluidR3_GM's sampled grand piano (fluid-soundfont-gm), lossless
#   speech        klettres-data (Debian): the English letters and syllables read by KLettres's speakers,
#                 one after the other (Vorbis 44.1 kHz mono, GPL)
# Every encode is capsule's own (capsule build on a generated site), decoded again by ffmpeg, which
# honours Opus pre-skip and the LAME gapless header, so each decode lines up with its reference.
# Scores: ViSQOL v3 in audio mode (MOS-LQO 1 to 5; an identical copy scores about 4.73), by the pure-Rust
# audio_samples_qoe crate (bench/visqol), on 30 s from each track. Bytes per hour: whole tracks.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=${1:-$repo/target/bench-audio}
source bench/debian.sh
need ffmpeg ffprobe fluidsynth apt-get dpkg-deb python3 cargo
need_soundfont
cargo build --release -q
cargo build --release -q --manifest-path bench/visqol/Cargo.toml --target-dir "$repo/target/bench-visqol"
capsule=$repo/target/release/capsule
visqol=$repo/target/bench-visqol/release/capsule-bench-visqol
mkdir -p "$work/downloads"
echo "work folder: $work"

# --- the recordings, as 48 kHz stereo WAV references --------------------------------------------------
dl=$work/downloads
fetch_deb singularity-music
fetch_deb hyperrogue-music
fetch_deb pianobooster
fetch_deb klettres-data

ref=$work/ref
rm -rf "$ref" && mkdir -p "$ref"
to_ref() { # NAME SOURCE
  ffmpeg -v error -y -i "$2" -ar 48000 -ac 2 -c:a pcm_s16le "$ref/$1.wav"
}
s=$dl/singularity-music/usr/share/games/singularity/music
to_ref ambient-awakening "$s/Awakening.ogg"
to_ref ambient-nebula "$s/Nebula.ogg"
h=$dl/hyperrogue-music/usr/share/hyperrogue/music
to_ref orchestral-caves "$h/hr3-caves.ogg"
to_ref orchestral-desert "$h/hr3-desert.ogg"
to_ref orchestral-palace "$h/hr-savino-palace.ogg"
p=$dl/pianobooster/usr/share/doc/pianobooster/courses/BoosterMusic
for piece in 01-ClairDeLaLune 06-Greensleeves; do
  mid=$work/$piece.mid
  if [ -f "$p/$piece.mid.gz" ]; then gunzip -c "$p/$piece.mid.gz" > "$mid"; else cp "$p/$piece.mid" "$mid"; fi
  # Program 0 is the acoustic grand piano; -g 0.6 keeps the loudest chords from clipping.
  fluidsynth -q -ni -g 0.6 -r 48000 -F "$work/$piece.raw.wav" "$sf2" "$mid" >/dev/null 2>&1
  to_ref "piano-$(echo "$piece" | cut -d- -f2 | tr 'A-Z' 'a-z')" "$work/$piece.raw.wav"
done
# Speech: every English letter and syllable of KLettres in a row, about a minute of voices.
: > "$work/speech.txt"
for f in $(find "$dl/klettres-data/usr/share/klettres/en" -name '*.ogg' | sort); do
  w=$work/speech-$(basename "$(dirname "$f")")-$(basename "$f" .ogg).wav
  ffmpeg -v error -y -i "$f" -ar 48000 -ac 2 -c:a pcm_s16le "$w"
  echo "file '$w'" >> "$work/speech.txt"
done
ffmpeg -v error -y -f concat -safe 0 -i "$work/speech.txt" -c:a pcm_s16le "$ref/speech-letters.wav"

# --- capsule's encodes, one build per setting ---------------------------------------------------------
# label|[audio] lines
settings=(
  "Opus 32 kb/s|opus_bitrate = 32|mp3 = false"
  "Opus 48 kb/s|opus_bitrate = 48|mp3 = false"
  "Opus 64 kb/s|opus_bitrate = 64|mp3 = false"
  "Opus 80 kb/s|opus_bitrate = 80|mp3 = false"
  "Opus 96 kb/s|opus_bitrate = 96|mp3 = false"
  "MP3 V9|mp3_bitrate = 65|opus = false"
  "MP3 V8|mp3_bitrate = 85|opus = false"
  "MP3 V7|mp3_bitrate = 100|opus = false"
  "MP3 V6|mp3_bitrate = 115|opus = false"
  "MP3 V5|mp3_bitrate = 130|opus = false"
  "MP3 V2|mp3_bitrate = 190|opus = false"
  "MP3 96 kb/s CBR|mp3_bitrate = 96|mp3_mode = \"cbr\"|opus = false"
  "MP3 112 kb/s CBR|mp3_bitrate = 112|mp3_mode = \"cbr\"|opus = false"
  "MP3 128 kb/s CBR|mp3_bitrate = 128|mp3_mode = \"cbr\"|opus = false"
  "MP3 160 kb/s CBR|mp3_bitrate = 160|mp3_mode = \"cbr\"|opus = false"
)
results=$work/results.tsv
: > "$results"; : > "$results.bytes"
i=0
for setting in "${settings[@]}"; do
  i=$((i + 1))
  IFS='|' read -r label lines <<<"${setting%%|*}|${setting#*|}"
  site=$work/site-$i
  rm -rf "$site" && mkdir -p "$site/content/playlists/bench"
  cp "$ref"/*.wav "$site/content/playlists/bench/"
  printf '+++\ntitle = "Bench"\n+++\n' > "$site/content/playlists/bench/index.md"
  printf '[budget]\naudio = "100 GB"\nhtml = "100 GB"\n[audio]\n%s\n' "$(echo "$lines" | tr '|' '\n')" > "$site/capsule.toml"
  echo "encoding: $label"
  "$capsule" build -q --root "$site"
  out=$site/public/html/playlists/bench
  mkdir -p "$site/decoded"
  for f in "$out"/*.opus "$out"/*.mp3; do
    [ -f "$f" ] || continue
    name=$(basename "${f%.*}")
    ffmpeg -v error -y -i "$f" -ar 48000 -ac 2 -c:a pcm_s16le "$site/decoded/$name.wav"
    secs=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$f")
    printf '%s\t%s\t%s\t%s\n' "$label" "$name" "$(stat -c %s "$f")" "$secs" >> "$results.bytes"
  done
done

# --- scores: 30 s of each track (from a quarter in), every setting, two tracks at a time ---------------
clip() { # IN OUT START
  ffmpeg -v error -y -ss "$3" -t 30 -i "$1" -c:a pcm_s16le "$2"
}
mkdir -p "$work/clips"
score_track() { # NAME
  local name=$1 dur start
  dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$ref/$name.wav")
  start=$(python3 -c "d=float('$dur'); print(round(max(0.0, min(d/4, d-30)), 3))")
  clip "$ref/$name.wav" "$work/clips/$name.ref.wav" "$start"
  local degraded=()
  for j in $(seq 1 ${#settings[@]}); do
    clip "$work/site-$j/decoded/$name.wav" "$work/clips/$name.$j.wav" "$start"
    degraded+=("$work/clips/$name.$j.wav")
  done
  "$visqol" "$work/clips/$name.ref.wav" "${degraded[@]}" 2>/dev/null |
    awk -v n="$name" '{ print n "\t" NR "\t" $1 }' > "$work/clips/$name.scores"
}
export -f score_track clip
export ref work visqol
settings_count=${#settings[@]}
for name in $(ls "$ref" | sed 's/\.wav$//'); do echo "$name"; done |
  xargs -P 2 -I{} bash -c "settings=(\$(seq 1 $settings_count)); score_track {}"
cat "$work"/clips/*.scores > "$results"

# --- the table ------------------------------------------------------------------------------------------
python3 - "$results" "$results.bytes" "${settings[@]}" <<'EOF'
import sys, collections
scores_path, bytes_path, *settings = sys.argv[1:]
labels = [s.split("|")[0] for s in settings]
scores = collections.defaultdict(dict)       # label -> track -> score
for line in open(scores_path):
    track, j, score = line.split("\t")
    scores[labels[int(j) - 1]][track] = float(score)
size = collections.defaultdict(lambda: [0, 0.0])  # label -> [bytes, seconds]
for line in open(bytes_path):
    label, track, b, secs = line.rstrip("\n").split("\t")
    size[label][0] += int(b); size[label][1] += float(secs)
kinds = sorted({t.split("-")[0] for s in scores.values() for t in s})
head = ["setting", "MB per hour", "hours per 2 GB", "mean ViSQOL"] + [f"{k} (lowest)" for k in kinds]
print("| " + " | ".join(head) + " |")
print("|" + "|".join(["---"] * len(head)) + "|")
for label in labels:
    b, secs = size[label]
    per_hour = b / secs * 3600 if secs else 0
    s = scores[label]
    row = [label, f"{per_hour / 1e6:.1f}", f"{2e9 / per_hour:.0f}" if per_hour else "-",
           f"{sum(s.values()) / len(s):.2f}" if s else "-"]
    for k in kinds:
        ks = [v for t, v in s.items() if t.startswith(k + "-")]
        row.append(f"{sum(ks) / len(ks):.2f} ({min(ks):.2f})" if ks else "-")
    print("| " + " | ".join(row) + " |")
EOF
