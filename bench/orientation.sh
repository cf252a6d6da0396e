#!/usr/bin/env bash
# Checks capsule's EXIF orientation handling on the corpus's real oriented photos
# (photos-edge/orientation: the same picture stored with orientations 2 to 8): each published
# Gemini JPEG must have the size and content of what `vips thumbnail` (which applies the
# orientation) makes of the same file. Prints one line per photo and exits 1 if any is wrong.
#
# Usage: bench/orientation.sh CORPUS      Needs: libvips-tools, ssimulacra2_rs, python3 with Pillow.
set -euo pipefail
corpus=$(cd "$1" && pwd)
cd "$(dirname "$0")/.."
cargo build --release -q
work=$(mktemp -d)
mkdir -p "$work/site/content/albums/orientation" "$work/vips"
cp "$corpus"/photos-edge/orientation/*.jpg "$work/site/content/albums/orientation/"
printf '[photos]\nmode = "fixed"\nquality = 95\ngemini = 256\n' > "$work/site/capsule.toml"
target/release/capsule build --root "$work/site" --quiet 2>/dev/null
fail=0
for src in "$work"/site/content/albums/orientation/*.jpg; do
  name=$(basename "$src" .jpg)
  slug=$(echo "$name" | tr '_' '-')
  out=$(ls "$work"/site/public/gemini/albums/orientation/"$slug"-*.jpg)
  read -r w h < <(python3 -c "from PIL import Image; print(*Image.open('$out').size)")
  vips thumbnail "$src" "$work/vips/$name.png" "$w" --height "$h" --size force
  python3 -c "from PIL import Image; Image.open('$out').save('$work/vips/$name-capsule.png')"
  read -r vw vh < <(python3 -c "from PIL import Image; print(*Image.open('$work/vips/$name.png').size)")
  score=$(ssimulacra2_rs image "$work/vips/$name.png" "$work/vips/$name-capsule.png" | grep -oE '[-0-9.]+$')
  # Upright and the same picture: a wrongly turned or mirrored one scores far below zero.
  if [ "$w $h" = "$vw $vh" ] && python3 -c "import sys; sys.exit(0 if $score > 50 else 1)"; then
    echo "ok    $name  ${w}x${h}  SSIMULACRA2 $score against vips"
  else
    echo "WRONG $name  capsule ${w}x${h}, vips ${vw}x${vh}, SSIMULACRA2 $score"
    fail=1
  fi
done
rm -rf "$work"
exit $fail
