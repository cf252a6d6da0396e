#!/usr/bin/env bash
# The whole-frame promise, measured from outside: every published photo reaches its target (70) on the
# whole frame, scored by ssimulacra2_rs against the source resized to the output's size by
# `vipsthumbnail -s WxH!` (with `-e srgb` when the source carries an ICC profile), next to the score
# capsule's own search measured (its cache's meta.json), so that a drift between the two shows.
#
# A WebP is scored as a browser shows it: decoded by libwebp (through vips), the decoder of Chromium,
# Firefox and Safari; the script checks, with headless Chromium when it is installed, that Chromium's
# pixels of the lowest-scoring WebP are libwebp's. It also gives the score of the same file decoded
# by ssimulacra2_rs itself (image-webp 0.1.2 in its locked build), whose colour upsampling differs from
# libwebp's and costs up to three points on fine colour detail: a drift of the measure, not of the photos.
#
# Usage: bench/whole-frame.sh PHOTO_DIR... (for example CORPUS/photos-kde CORPUS/photos-budgie, the
#   unseen set; CORPUS from `python3 bench/fetch-corpus.py CORPUS`)
#   builds the photos (JPEG, PNG) of every PHOTO_DIR and its folders as one album twice, with the defaults (WebP) and with
#   format = "avif", and prints for the HTML display WebP, the Gemini JPEG and the HTML display AVIF:
#   median, share >= 69, share >= 70, worst; then the photos under 69.
#   WORK=DIR keeps the work folder; SKIP_AVIF=1 leaves the AVIF build out (it is the slow one);
#   PHOTOS_TOML adds lines to both sites' [photos] table (for example PHOTOS_TOML='display = 1600');
#   CAPSULE=PATH uses that binary instead of building target/release/capsule.
# Needs: libvips-tools (Debian), ssimulacra2_rs (cargo install --locked ssimulacra2_rs
#        --no-default-features), python3; chromium for the decoder check. bench/media.sh runs it on its
#        photos (PHOTOS=photos-kde bench/media.sh CORPUS for KDE's).
set -euo pipefail
[ $# -ge 1 ] || { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
dirs=()
for d in "$@"; do dirs+=("$(cd "$d" && pwd)"); done
work=${WORK:-$(mktemp -d)}
cd "$(dirname "$0")/.."
repo=$PWD
for tool in vipsthumbnail vipsheader vips ssimulacra2_rs python3; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (see the header of this script)" >&2; exit 2; }
done
[ -n "${CAPSULE:-}" ] || { cargo build --release -q; CAPSULE=$repo/target/release/capsule; }
rm -rf "$work" && mkdir -p "$work/src" "$work/ref" "$work/png"
echo "work folder: $work" >&2
for d in "${dirs[@]}"; do
  find "$d" -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) | sort |
    while read -r f; do cp "$f" "$work/src/$(basename "$(dirname "$f")")-$(basename "$f")"; done
done

make_site() { # DIR TOML
  mkdir -p "$1/content/albums/unseen"
  cp "$work"/src/* "$1/content/albums/unseen/"
  printf '%s' "$2" > "$1/capsule.toml"
  "$CAPSULE" build --root "$1" --quiet 2> >(grep -v 'have no alt text' >&2)
}
make_site "$work/webp" $'[photos]\n'"${PHOTOS_TOML:-}"
[ -n "${SKIP_AVIF:-}" ] || make_site "$work/avif" $'[photos]\nformat = "avif"\n'"${PHOTOS_TOML:-}"

# One line per published photo to score: LABEL SOURCE OUTPUT SITE
python3 - "$work" > "$work/jobs" <<'PY'
import os, re, sys, unicodedata
work = sys.argv[1]
src = os.path.join(work, "src")
def slug(s):
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")
sources = {slug(os.path.splitext(f)[0]): os.path.join(src, f) for f in os.listdir(src)}
def largest(folder, ext):
    # <slug>-<width>.<ext>: the widest file of each photo is its display size.
    best = {}
    for f in os.listdir(folder):
        m = re.fullmatch(r"(.+)-(\d+)\." + ext, f)
        if m and m.group(1) in sources and int(m.group(2)) > best.get(m.group(1), (0, ""))[0]:
            best[m.group(1)] = (int(m.group(2)), f)
    return {s: os.path.join(folder, f) for s, (_, f) in best.items()}
for label, site, folder, ext in [
    ("webp", "webp", "public/html/albums/unseen", "webp"),
    ("gemini", "webp", "public/gemini/albums/unseen", "jpg"),
    ("avif", "avif", "public/html/albums/unseen", "avif"),
]:
    path = os.path.join(work, site, folder)
    if not os.path.isdir(path):
        continue
    files = largest(path, ext)
    missing = set(sources) - set(files)
    if missing:
        sys.exit(f"{label}: no published file for {sorted(missing)}")
    for s, out in sorted(files.items()):
        print(label, sources[s], out, os.path.join(work, site))
PY

# -> "label photo outside own quality size bytes own-decoder": size is the cache's name of the output
#    (display, thumbnail when the photo is smaller than a display size, gemini), own-decoder the score
#    of ssimulacra2_rs reading the WebP itself.
score_one() { # LABEL SOURCE OUTPUT SITE
  local label=$1 source=$2 out=$3 site=$4
  local w h name ref png export=()
  w=$(vipsheader -f width "$out"); h=$(vipsheader -f height "$out")
  name=$(basename "$out"); ref="$work/ref/${name%.*}-${w}x$h.png"; png="$work/png/$label-$name.png"
  vipsheader -f icc-profile-data "$source" >/dev/null 2>&1 && export=(-e srgb)
  [ -e "$ref" ] || VIPS_WARNING=0 vipsthumbnail "$source" -s "${w}x${h}!" "${export[@]}" -o "$ref"
  vips colourspace "$out" "$png" srgb
  local outside own direct=-
  outside=$(ssimulacra2_rs image "$ref" "$png" | grep -oE '[-0-9.]+$')
  [ "$label" = webp ] && direct=$(ssimulacra2_rs image "$ref" "$out" | grep -oE '[-0-9.]+$')
  own=$(python3 - "$site/.capsule-cache" "$out" <<'PY'
import hashlib, json, os, sys
cache, out = sys.argv[1:3]
data = open(out, "rb").read()
want = hashlib.sha256(data).hexdigest()
for root, _, files in os.walk(cache):
    if "meta.json" not in files:
        continue
    for f in files:
        p = os.path.join(root, f)
        if f != "meta.json" and os.path.getsize(p) == len(data) and hashlib.sha256(open(p, "rb").read()).hexdigest() == want:
            meta = json.load(open(os.path.join(root, "meta.json")))
            for e in meta.get("html", []) + [meta.get("gemini", {})]:
                if e.get("file") == f and e.get("score") is not None:
                    print(f"{e['score']:.2f} q{e['quality']} {f.split('.')[0]}")
                    sys.exit()
print("- - -")
PY
)
  echo "$label $(basename "$source") $outside $own $(stat -c %s "$out") $direct"
}
export -f score_one
export work
xargs -P2 -L1 bash -c 'score_one "$@"' _ < "$work/jobs" > "$work/scores"

# Chromium shows the lowest-scoring WebP: are its pixels libwebp's?
chromium_check="Chromium not installed: the decoder check was skipped"
if command -v chromium >/dev/null; then
  worst=$(awk '$1 == "webp" && $6 != "thumbnail" && $6 != "small"' "$work/scores" | sort -k3 -g | head -1 | awk '{print $2}')
  out=$(awk -v s="$work/src/$worst" '$1 == "webp" && $2 == s {print $3}' "$work/jobs")
  mkdir -p "$work/chromium" && cp "$out" "$work/chromium/shown.webp"
  w=$(vipsheader -f width "$out"); h=$(vipsheader -f height "$out")
  printf '<!doctype html><body style="margin:0;overflow:hidden"><img src="shown.webp" style="display:block">' > "$work/chromium/p.html"
  timeout 120 chromium --headless --no-sandbox --disable-gpu --force-color-profile=srgb --hide-scrollbars \
    --disable-background-networking --disable-component-update --no-first-run \
    --user-data-dir="$work/chromium/profile" --window-size="$w,$h" \
    --screenshot="$work/chromium/shot.png" "file://$work/chromium/p.html" >/dev/null 2>&1 || true
  if [ -s "$work/chromium/shot.png" ]; then
    vips colourspace "$out" "$work/chromium/libwebp.png" srgb
    vips subtract "$work/chromium/shot.png" "$work/chromium/libwebp.png" "$work/chromium/diff.v"
    vips abs "$work/chromium/diff.v" "$work/chromium/abs.v"
    chromium_check="Chromium's pixels of $worst's WebP differ from libwebp's by at most $(vips max "$work/chromium/abs.v") (0 to 255)"
  else
    chromium_check="Chromium made no screenshot: the decoder check was skipped"
  fi
fi

python3 - "$work/scores" "$chromium_check" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
# A photo smaller than the display size has none: its largest HTML file is a thumbnail, whose target
# is 60; those are listed apart, not counted against 70.
small = sorted({r[1] for r in rows if r[5] in ("thumbnail", "small")})
rows = [r for r in rows if r[1] not in small]
names = {"webp": "HTML display WebP", "gemini": "Gemini JPEG", "avif": "HTML display AVIF (format = \"avif\")"}
print(f"\n{len({r[1] for r in rows})} photos; scored by ssimulacra2_rs against vipsthumbnail's resize of the source\n")
print("| output | median | share ≥ 69 | share ≥ 70 | worst | search's own median | largest drift |")
print("|---|---|---|---|---|---|---|")
for label in ["webp", "gemini", "avif"]:
    rs = [r for r in rows if r[0] == label]
    if not rs:
        continue
    out = [float(r[2]) for r in rs]
    own = [float(r[3]) for r in rs if r[3] != "-"]
    drift = max((abs(float(r[3]) - float(r[2])) for r in rs if r[3] != "-"), default=float("nan"))
    print(f"| {names[label]} | {statistics.median(out):.1f} | {sum(s >= 69 for s in out) / len(out):.0%} "
          f"| {sum(s >= 70 for s in out) / len(out):.0%} | {min(out):.1f} "
          f"| {statistics.median(own) if own else float('nan'):.1f} | {drift:.1f} |")
direct = [float(r[7]) for r in rows if r[0] == "webp"]
if direct:
    print(f"| the same WebP decoded by ssimulacra2_rs itself | {statistics.median(direct):.1f} "
          f"| {sum(s >= 69 for s in direct) / len(direct):.0%} | {sum(s >= 70 for s in direct) / len(direct):.0%} "
          f"| {min(direct):.1f} | | |")
print(f"\n{sys.argv[2]}")
if small:
    print(f"Left out, smaller than a display size (their largest file is a thumbnail, target 60): {', '.join(small)}")
low = sorted((r for r in rows if float(r[2]) < 69), key=lambda r: float(r[2]))
print("\nUnder 69: " + ("none" if not low else ""))
for r in low:
    print(f"  {names[r[0]]}: {r[1]} scores {r[2]} (search: {r[3]} at {r[4]}), {r[6]} bytes")
PY
