#!/usr/bin/env python3
"""How long a collective's site takes to build: a site with no music of its own that follows SITES
member sites of TRACKS recordings each (generated catalogues, served over HTTP on this computer).

Usage: python3 bench/collective.py [SITES] [TRACKS]      (default: 10 sites of 2,000 recordings)
  CAPSULE=PATH uses that binary instead of building target/release/capsule.

Prints the size of one member's catalogue (and per 100 recordings), then the wall time and peak
memory (GNU time) of the collective's first build (every catalogue fetched), of a second build (each
catalogue asked again with its ETag: 304) and of a build with every member's site down (from the
cache). Needs: python3, GNU time (/usr/bin/time).
"""
import hashlib
import http.server
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time

SITES = int(sys.argv[1]) if len(sys.argv) > 1 else 10
TRACKS = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORDS = ("rain night drive moss glow seed fjord volt neon keys lone twin hum dusk tide ember salt "
         "field choir dune river cedar ash iron velvet paper echo").split()
GENRES = ["Ambient", "Drone", "Piano", "Jazz", "Synthwave", "Folk", "Field recording", "Techno",
          "Chanson", "Dub", "Noise", "Baroque", "Hip-hop", "Punk", "Bossa nova", "Gamelan"]


def catalogue(site, base, rng):
    """A member's catalogue, as capsule writes it: TRACKS recordings in playlists of 8 to 20."""
    children, tracks = [], []
    artists = [f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()}" for _ in range(TRACKS // 12)]
    for i in range(TRACKS):
        uid = "blake3:" + hashlib.blake2s(f"{site}/{i}".encode()).hexdigest()
        slug = f"t{i:05d}"
        playlist = i // 14
        tracks.append((uid, playlist))
        children.append({
            "type": "track", "uid": uid, "name": f"{rng.choice(WORDS).title()} {i}",
            "url": f"{base}playlists/p{playlist:04d}/#track-{slug}",
            "artist": rng.choice(artists), "album": f"Album {i // 10}",
            "genre": "; ".join(rng.sample(GENRES, rng.choice([1, 1, 2]))),
            "duration": rng.randint(120, 420), "track": i % 10 + 1,
            "release_date": f"2024-{playlist % 12 + 1:02d}-01",
            "media": [
                {"type": "audio/ogg", "src": f"{base}music/tracks/{slug}.opus", "size": 2_400_000},
                {"type": "audio/mpeg", "src": f"{base}music/tracks/{slug}.mp3", "size": 4_800_000},
            ],
        })
    for p in range(max(t[1] for t in tracks) + 1):
        members = [t[0] for t in tracks if t[1] == p]
        # A few recordings of another playlist too, as curators do.
        members += [rng.choice(tracks)[0] for _ in range(3)]
        children.append({
            "type": "playlist", "uid": f"playlist:playlists/p{p:04d}", "name": f"Playlist {p}",
            "url": f"{base}playlists/p{p:04d}/", "author": f"Curator {p % 7}",
            "release_date": f"2024-{p % 12 + 1:02d}-01",
            "children": [{"type": "track", "uid": u} for u in dict.fromkeys(members)],
        })
    return {"type": "root", "protocol": "Canimus", "version": "c1abb7e", "capsule_catalogue": 1,
            "name": f"Member {site}", "url": f"{base}music/", "curators": [], "children": children}


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def end_headers(self):
        path = self.translate_path(self.path)
        if os.path.isfile(path):
            st = os.stat(path)
            self.send_header("ETag", f'"{st.st_size}-{int(st.st_mtime)}"')
        super().end_headers()

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isfile(path):
            st = os.stat(path)
            if self.headers.get("If-None-Match") == f'"{st.st_size}-{int(st.st_mtime)}"':
                self.send_response(304)
                self.end_headers()
                return None
        return super().send_head()


def main():
    capsule = os.environ.get("CAPSULE")
    if not capsule:
        subprocess.run(["cargo", "build", "--release", "-q"], cwd=REPO, check=True)
        capsule = os.path.join(REPO, "target/release/capsule")
    work = tempfile.mkdtemp(prefix="capsule-collective-")
    rng = random.Random(7)
    servers, follow = [], []
    for s in range(SITES):
        root = os.path.join(work, f"member{s}")
        os.makedirs(os.path.join(root, "music"))
        handler = lambda *a, root=root, **k: Quiet(*a, directory=root, **k)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        with open(os.path.join(root, "music/catalogue.json"), "w") as f:
            json.dump(catalogue(s, base, rng), f, separators=(",", ":"))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        follow.append(base)
    size = os.path.getsize(os.path.join(work, "member0/music/catalogue.json"))
    print(f"{SITES} member sites of {TRACKS} recordings; one catalogue: {size / 1e6:.2f} MB, "
          f"{size / TRACKS * 100 / 1e3:.0f} KB per 100 recordings")
    site = os.path.join(work, "collective")
    os.makedirs(os.path.join(site, "content"))
    with open(os.path.join(site, "content/index.md"), "w") as f:
        f.write('+++\ntitle = "The collective"\n+++\n')
    with open(os.path.join(site, "capsule.toml"), "w") as f:
        f.write('title = "The collective"\nhtml_base_url = "https://collective.example/"\n\n[library]\n'
                f"listen = false\nfollow = {json.dumps(follow)}\n")

    def run(label):
        t = tempfile.NamedTemporaryFile(delete=False)
        start = time.time()
        out = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", t.name, capsule, "build", "--root",
                              site, "--quiet"], capture_output=True, text=True)
        wall = time.time() - start
        if out.returncode != 0:
            sys.exit(f"{label} failed:\n{out.stdout}{out.stderr}")
        peak = int(open(t.name).read().split()[-1]) * 1024 / 1e6
        warnings = out.stderr.count("warning:")
        print(f"| {label} | {wall:.1f} s | {peak:.0f} MB | {warnings} |")

    print("\n| collective build | wall | peak memory | warnings |\n|---|---|---|---|")
    run("first (every catalogue fetched)")
    run("again (each catalogue 304)")
    for server in servers:
        server.shutdown()
        server.server_close()
    run("members down (from the cache)")
    pages = sum(len(fs) for _, _, fs in os.walk(os.path.join(site, "public/html")))
    print(f"\nThe collective's HTML site: {pages} files; work folder: {work}")


main()
