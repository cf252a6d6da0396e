#!/usr/bin/env bash
# AVIF against WebP, at equal quality: the corpus's photos built in perceptual mode (target 70, 60 for
# thumbnails) once with WebP (method 6, the default) and once per ravif speed, each from a cold cache.
# Prints, per run: wall and CPU time of the first build on this machine's cores, peak RSS, the HTML
# site's image bytes (display + thumbnails) and the whole-frame SSIMULACRA2 of the display photos,
# measured by ssimulacra2_rs against vips' colour-managed resize of the source (as bench/media.sh).
#
# Usage: bench/avif.sh CORPUS [WORKDIR]        (CORPUS from `python3 bench/fetch-corpus.py CORPUS`)
#        SPEEDS="4 6 8 10" (the default) picks ravif's speeds; PHOTOS=photos-kde picks the photo set.
# Needs: libvips-tools (with AVIF), ssimulacra2_rs (cargo install --locked ssimulacra2_rs
#        --no-default-features), python3, /usr/bin/time.
set -euo pipefail
corpus=$(cd "$1" && pwd)
work=${2:-$(mktemp -d)}
speeds=${SPEEDS:-4 6 8 10}
cd "$(dirname "$0")/.."
for tool in vips ssimulacra2_rs python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (see the header of this script)" >&2; exit 2; }
done
cargo build --release -q
capsule=$PWD/target/release/capsule
rm -rf "$work" && mkdir -p "$work/src" "$work/ref"
echo "work folder: $work"
find "$corpus/${PHOTOS:-photos}" -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) | sort | while read -r f; do
  cp "$f" "$work/src/$(basename "$(dirname "$f")")-$(basename "$f")"
done

: > "$work/times"
runs="webp"
for s in $speeds; do runs="$runs avif-$s"; done
for run in $runs; do
  site=$work/$run
  mkdir -p "$site/content/albums/corpus"
  cp "$work"/src/* "$site/content/albums/corpus/"
  case $run in
    webp) printf '[photos]\nformat = "webp"\n' > "$site/capsule.toml" ;;
    avif-*) printf '[photos]\nformat = "avif"\navif_speed = %s\n' "${run#avif-}" > "$site/capsule.toml" ;;
  esac
  echo "building $run"
  /usr/bin/time -f "$run %e %U %S %M" -a -o "$work/times" "$capsule" build --root "$site" --quiet
done

# Whole-frame scores of the display photos, against one reference per photo at the display size.
# capsule names its files <slug>-<width>.<ext>: the largest is the display file, the other the thumbnail.
python3 - "$work" "$runs" > "$work/jobs.tsv" <<'PY'
import os, re, sys, unicodedata
work, runs = sys.argv[1], sys.argv[2].split()
def slug(s):
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")
sources = {slug(os.path.splitext(f)[0]): f for f in os.listdir(os.path.join(work, "src"))}
for run in runs:
    d = os.path.join(work, run, "public/html/albums/corpus")
    outs = {}
    for f in os.listdir(d):
        m = re.match(r"(.+)-(\d+)\.(webp|avif)$", f)
        if m and m.group(1) in sources:
            outs.setdefault(m.group(1), []).append((int(m.group(2)), f))
    for stem, files in sorted(outs.items()):
        files.sort()
        for i, (width, f) in enumerate(files):
            kind = "display" if i == len(files) - 1 else "thumbnail"
            print("\t".join([run, stem, kind, os.path.join(d, f), os.path.join(work, "src", sources[stem]), str(width)]))
PY
: > "$work/scores.tsv"
while IFS=$'\t' read -r run stem kind file src width; do
  bytes=$(stat -c %s "$file")
  score=
  if [ "$kind" = display ]; then
    ref=$work/ref/$stem-$width.png
    [ -e "$ref" ] || vips thumbnail "$src" "$ref" "$width" --height "$(vipsheader -f height "$file")" --size force
    vips colourspace "$file" "$file.png" srgb
    score=$(ssimulacra2_rs image "$ref" "$file.png" | grep -oE '[-0-9.]+$')
  fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$run" "$stem" "$kind" "$bytes" "$score" >> "$work/scores.tsv"
done < "$work/jobs.tsv"

python3 - "$work" "$runs" <<'PY'
import os, statistics as st, sys
work, runs = sys.argv[1], sys.argv[2].split()
t = {}
for line in open(os.path.join(work, "times")):
    run, wall, user, sys_, rss = line.split()
    t[run] = (float(wall), float(user) + float(sys_), int(rss) / 1024)
rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(work, "scores.tsv"))]
def of(run, kind):
    return [r for r in rows if r[0] == run and r[2] == kind]
def pct(xs, p):
    xs = sorted(xs)
    k = (len(xs) - 1) * p / 100
    lo = int(k)
    return xs[lo] + (xs[min(lo + 1, len(xs) - 1)] - xs[lo]) * (k - lo)
base_bytes = sum(int(r[3]) for r in rows if r[0] == "webp")
base_wall = t["webp"][0]
n = len(of("webp", "display"))
print(f"\n{n} photos, perceptual mode (display target 70, thumbnails 60), first build on {os.cpu_count()} cores\n")
print(f"| run | HTML image bytes | vs WebP | display score: median / p5 / min | first build | vs WebP | peak RSS |")
print(f"|---|---|---|---|---|---|---|")
for run in runs:
    scores = [float(r[4]) for r in of(run, "display")]
    total = sum(int(r[3]) for r in rows if r[0] == run)
    wall, cpu, rss = t[run]
    label = "WebP, method 6" if run == "webp" else f"AVIF, ravif speed {run.split('-')[1]}"
    print(f"| {label} | {total / 1e6:.2f} MB | {total / base_bytes:.2f}x | "
          f"{st.median(scores):.1f} / {pct(scores, 5):.1f} / {min(scores):.1f} | {wall:.0f} s | "
          f"{wall / base_wall:.1f}x | {rss:.0f} MB |")
PY
