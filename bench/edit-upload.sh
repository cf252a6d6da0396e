#!/usr/bin/env bash
# Memory of `capsule edit` while it receives large uploads: a 30 MB photo into an album and a
# 100 MB FLAC into a playlist, sent by curl as a browser would (multipart). Uploads are streamed to
# disk, so the editor's resident memory should stay within 100 MB of what it uses idle.
# Prints the idle RSS, the peak RSS during each upload, and the difference.
# Needs: curl. Usage: bench/edit-upload.sh
# The files are random bytes behind a JPEG or FLAC signature: the upload path looks only at the
# signature, and the build that follows (which would decode them) is not what is measured.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v curl >/dev/null || { echo "install curl first: apt-get install curl" >&2; exit 2; }
cargo build --release -q
site=$(mktemp -d)
cp -r content capsule.toml "$site/"
mkdir -p "$site/content/albums/big" "$site/content/playlists/long"
# The default limit for one file is 64 MB; a long FLAC needs more.
printf '\n[edit]\nmax_file = "200 MB"\n' >> "$site/capsule.toml"
log=$site/edit.log
./target/release/capsule edit --root "$site" --http-port 0 --no-gemini --no-browser >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$site"' EXIT
until grep -q "Edit your files" "$log"; do sleep 0.1; done
login=$(grep -o 'http://127.0.0.1:[0-9]*/_edit/login?token=[0-9a-f]*' "$log")
base=${login%%/_edit/*}
jar=$site/cookies
curl -s -c "$jar" -o /dev/null "$login"
csrf=$(curl -s -b "$jar" "$base/_edit/" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 | grep -o '[0-9a-f]\{64\}')

{ printf '\xff\xd8\xff\xe0'; head -c 30000000 /dev/urandom; } > "$site/photo.jpg"
{ printf 'fLaC'; head -c 100000000 /dev/urandom; } > "$site/long.flac"

rss() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
sleep 2
idle=$(rss)
echo "idle RSS: $((idle / 1024)) MB"

upload() { # item file
  local peak=0 done_flag=$site/done
  rm -f "$done_flag"
  ( curl -s -b "$jar" -o /dev/null -w '%{http_code}' \
      -F "files=@$2" "$base/_edit/upload?item=$1&csrf=$csrf" > "$site/status"; touch "$done_flag" ) &
  while [ ! -f "$done_flag" ]; do
    now=$(rss); [ "$now" -gt "$peak" ] && peak=$now
    sleep 0.02
  done
  echo "$(basename "$2") ($(( $(stat -c %s "$2") / 1000000 )) MB): HTTP $(cat "$site/status"), peak RSS $((peak / 1024)) MB, $(((peak - idle) / 1024)) MB above idle"
}
upload "albums%2Fbig" "$site/photo.jpg"
upload "playlists%2Flong" "$site/long.flac"
ls -l "$site/content/albums/big" "$site/content/playlists/long" | grep -E 'photo|long' || true
