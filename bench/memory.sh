#!/usr/bin/env bash
# Peak memory and wall time of capsule's builds, as a user would measure them (/usr/bin/time): a first
# build (empty cache) and a no-op rebuild, in perceptual and fixed mode, of
#   example   the example site (content/),
#   corpus    every photo of CORPUS/photos (32, from 0.2 to 17.9 megapixels),
#   huge      a generated 100-megapixel JPEG and a 15-megapixel PNG,
#   many      320 photos: the corpus's, ten times over, each copy made distinct (SCALE=1 only).
# The aim of #32: at most 300 MB for any first build, bounded whatever the number of photos, and a
# perceptual first build at most 3x the fixed one (medians of three interleaved runs: RUNS=3).
#
# Usage: bash bench/memory.sh CORPUS        (CORPUS from `python3 bench/fetch-corpus.py CORPUS`)
#   RUNS=N repeats each first build N times, interleaving the modes (default 1); SCALE=1 adds "many".
#   CAPSULE=PATH uses that binary instead of building target/release/capsule.
# Needs: libvips-tools (Debian), python3, GNU time (/usr/bin/time).
set -euo pipefail
corpus=$(cd "$1" && pwd)
work=${WORK:-$(mktemp -d)}
cd "$(dirname "$0")/.."
repo=$PWD
for tool in vips /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (see the header of this script)" >&2; exit 2; }
done
[ -n "${CAPSULE:-}" ] || { cargo build --release -q; CAPSULE=$repo/target/release/capsule; }
rm -rf "$work" && mkdir -p "$work/sets"
echo "work folder: $work" >&2

# The photo sets, each a folder of files.
mkdir -p "$work/sets/corpus" "$work/sets/huge"
find "$corpus/photos" -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) | sort |
  while read -r f; do cp "$f" "$work/sets/corpus/$(basename "$(dirname "$f")")-$(basename "$f")"; done
# A photo-like 100 MP JPEG (smooth colour and fine grain) and a 15 MP PNG.
vips gaussnoise "$work/noise.v" 10000 10000 --sigma 12
vips xyz "$work/xy.v" 10000 10000
vips linear "$work/xy.v" "$work/ramp.v" "0.012 0.02" "20 0"
vips bandjoin "$work/ramp.v $work/noise.v" "$work/rgb.v"
vips linear "$work/rgb.v" "$work/rgb8.v" 1 30 --uchar
vips copy "$work/rgb8.v" "$work/sets/huge/hundred-megapixels.jpg[Q=90]"
vips thumbnail "$work/sets/huge/hundred-megapixels.jpg" "$work/sets/huge/fifteen-megapixels.png" 4743 --height 3162 --size force
rm -f "$work"/*.v
if [ -n "${SCALE:-}" ]; then
  mkdir -p "$work/sets/many"
  for i in $(seq 1 10); do
    for f in "$work/sets/corpus"/*; do
      # A different crop of each copy: other bytes, so every copy is a photo of its own.
      b=$(basename "$f"); vips crop "$f" "$work/sets/many/$i-${b%.*}.jpg[Q=92]" "$i" 0 \
        "$(($(vipsheader -f width "$f") - i))" "$(vipsheader -f height "$f")"
    done
  done
fi

make_site() { # DIR SET MODE
  mkdir -p "$1/content/albums/set"
  cp "$work/sets/$2"/* "$1/content/albums/set/"
  printf '[photos]\nmode = "%s"\n' "$3" > "$1/capsule.toml"
}
: > "$work/times"; : > "$work/timings"; : > "$work/bytes"
measure() { # LABEL SITE: "label wall maxrss_kb"; the build's own sums of its media work (CAPSULE_TIMINGS)
  CAPSULE_TIMINGS=1 /usr/bin/time -f "$1 %e %M" -a -o "$work/times" "$CAPSULE" build --root "$2" --quiet >/dev/null 2>"$work/err" ||
    { cat "$work/err" >&2; exit 1; }
  grep '^timing:' "$work/err" | sed "s/^timing: /$1|/" >> "$work/timings" || true
}
sets=(example corpus huge)
[ -n "${SCALE:-}" ] && sets+=(many)
for run in $(seq 1 "${RUNS:-1}"); do
  for set in "${sets[@]}"; do
    for mode in perceptual fixed; do
      site=$work/site-$set-$mode
      rm -rf "$site"
      if [ "$set" = example ]; then
        mkdir -p "$site" && cp -r "$repo/content" "$site/" &&
          { cat "$repo/capsule.toml" 2>/dev/null; printf '\n[photos]\nmode = "%s"\n' "$mode"; } > "$site/capsule.toml"
      else
        make_site "$site" "$set" "$mode"
      fi
      measure "$set $mode first" "$site"
      # The published photos' bytes (both formats): what the search's speed must not cost (at most 1 %).
      echo "$set $mode $(find "$site/public" -type f \( -name '*.webp' -o -name '*.jpg' -o -name '*.avif' \) \
        -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')" >> "$work/bytes"
      measure "$set $mode no-op" "$site"
    done
  done
done

python3 - "$work/times" "$(nproc)" "$work/timings" "$work/bytes" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    *label, wall, rss = line.split()
    # GNU time gives kibibytes; capsule counts MB as a million bytes (its budgets, its report).
    runs[" ".join(label)].append((float(wall), int(rss) * 1024 / 1e6))
print(f"\nPeak memory (max RSS) and wall time, medians of {max(len(v) for v in runs.values())} run(s), {sys.argv[2]} cores\n")
photo_bytes = {}
for line in open(sys.argv[4]):
    s, mode, n = line.split()
    photo_bytes[(s, mode)] = int(n)
print("| site | mode | first build | peak | no-op rebuild | peak | photos' bytes |")
print("|---|---|---|---|---|---|---|")
sets = []
for k in runs:
    s = k.split()[0]
    if s not in sets:
        sets.append(s)
med = lambda k, i: statistics.median(x[i] for x in runs[k])
for s in sets:
    for mode in ["perceptual", "fixed"]:
        f, n = f"{s} {mode} first", f"{s} {mode} no-op"
        print(f"| {s} | {mode} | {med(f, 0):.1f} s | {med(f, 1):.0f} MB | {med(n, 0):.2f} s | {med(n, 1):.0f} MB "
              f"| {photo_bytes[(s, mode)] / 1e6:.3f} MB |")
print()
for s in sets:
    ratio = med(f"{s} perceptual first", 0) / med(f"{s} fixed first", 0)
    print(f"{s}: perceptual / fixed first build {ratio:.2f}x")
# Where the time goes: the media work's CPU seconds summed over threads, the last run of each first build.
work = collections.OrderedDict()
for line in open(sys.argv[3]):
    label, rest = line.rstrip("\n").split("|", 1)
    if label.endswith("first"):
        parts = rest.split()
        name, n, secs = " ".join(parts[:-4]), parts[-4], parts[-2]
        work.setdefault(label, collections.OrderedDict())[name] = (int(n), float(secs))
if work:
    print("\nWhere the media time goes (CPU seconds over all threads, count of each step), first builds:\n")
    labels = list(work)
    print("| step | " + " | ".join(labels) + " |")
    print("|---|" + "---|" * len(labels))
    for name in work[labels[0]]:
        print(f"| {name} | " + " | ".join(f"{work[l][name][1]:.1f} s ({work[l][name][0]})" for l in labels) + " |")
    print()
worst = max(med(k, 1) for k in runs if k.endswith("first"))
print(f"largest first-build peak: {worst:.0f} MB (aim: at most 300 MB)")
PY
