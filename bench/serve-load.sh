#!/usr/bin/env bash
# Load on `capsule serve`: 200 concurrent HTTP connections (wrk) and 50 concurrent Gemini clients
# for 10 s, with a rebuild in the middle. Prints requests per second and errors for both.
# Needs: wrk (Debian package), python3. Usage: bench/serve-load.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
command -v wrk >/dev/null || { echo "install wrk first: apt-get install wrk" >&2; exit 2; }
cargo build --release -q
site=$(mktemp -d)
cp -r content capsule.toml "$site/"
log=$site/serve.log
./target/release/capsule serve --root "$site" --http-port 0 --gemini-port 0 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$site"' EXIT
until grep -q "Edit your files" "$log"; do sleep 0.1; done
http=$(grep -o 'HTML site: *http://[0-9.]*:[0-9]*' "$log" | grep -o '[0-9]*$')
gem=$(grep -o 'gemini://localhost:[0-9]*' "$log" | grep -o '[0-9]*$')

# Halfway through, an edit makes the server rebuild while both loads run.
( sleep $((secs / 2)); echo "Edited during the load test." >> "$site/content/CREDITS.md" ) &
python3 bench/gemini-load.py "$gem" 50 "$secs" /albums/basque-mountains/ > "$site/gemini.txt" &
gpid=$!
wrk -t2 -c200 -d"${secs}s" --latency "http://127.0.0.1:$http/albums/basque-mountains/index.html" | tee "$site/wrk.txt"
wait $gpid || true
cat "$site/gemini.txt"
grep -q "Edited during the load test" "$site/public/html/credits/index.html" && echo "rebuild during load: yes"
grep -E "Socket errors|Non-2xx" "$site/wrk.txt" && echo "HTTP errors: see above" || echo "HTTP errors: 0"
