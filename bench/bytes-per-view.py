#!/usr/bin/env python3
"""Bytes a reader downloads to open an album page, and to open one photo from it, in headless Chromium.

Usage: python3 bench/bytes-per-view.py CORPUS [BEFORE_BINARY] [AFTER_BINARY]

Builds the same site from the public corpus's photos (CORPUS from bench/fetch-corpus.py) with each
binary given (default: only target/release/capsule, built if missing): an album written as a photo
essay (CORPUS/photos/mate, 13 photos, each placed by the text), an album that is a folder of photos
(CORPUS/photos/lomiri-16.04, 15 photos), and a small written one (skimage and exif-parser, 4 photos).
Serves each site over HTTP, opens each album page in a fresh headless Chromium (no cache) at 390 and
1280 CSS pixels wide, at 1x and 2x, scrolls to the end so every lazy image loads, and adds up the bytes
transferred (the page, the stylesheet, every image: the Resource Timing transferSize). Then it follows
the album's first photo link (before photo pages: the image file itself; after: the photo's page) and
counts that view the same way. Prints one table per binary, the ratio after/before when both are
given, and what the site stores: image bytes, and photos per 100 MB of images.

Needs chromium and chromium-driver (Debian), python3. Nothing but the standard library.
"""
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
VIEWPORTS = [("phone 1x", 390, 844, 1, True), ("phone 2x", 390, 844, 2, True),
             ("laptop 1x", 1280, 800, 1, False), ("laptop 2x", 1280, 800, 2, False)]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_site(corpus, root, binary):
    """Builds the bench site in `root` with `binary`; returns (albums, photo count)."""
    if os.path.exists(root):
        shutil.rmtree(root)
    albums = os.path.join(root, "content", "albums")
    os.makedirs(albums)
    with open(os.path.join(root, "capsule.toml"), "w") as f:
        f.write('title = "Bench"\nlanguage = "en"\n')
    photos = os.path.join(corpus, "photos")
    sets = {
        "essay": (["mate"], True),
        "folder": (["lomiri-16.04"], False),
        "small": (["skimage", "exif-parser"], True),
    }
    count = 0
    for album, (folders, written) in sets.items():
        dest = os.path.join(albums, album)
        os.makedirs(dest)
        lines = ["+++", f'title = "{album}"', "+++", ""]
        for folder in folders:
            for name in sorted(os.listdir(os.path.join(photos, folder))):
                if not name.lower().endswith((".jpg", ".jpeg", ".png")):
                    continue
                count += 1
                file = f"{folder}-{name}".replace(" ", "-")
                shutil.copy(os.path.join(photos, folder, name), os.path.join(dest, file))
                lines += [f"Photo {count}, from {folder}.", "", f'![Photo {count} of the corpus]({file} "Caption {count}")', ""]
        if written:
            with open(os.path.join(dest, "index.md"), "w") as f:
                f.write("\n".join(lines))
    subprocess.run([binary, "build", "--root", root, "--quiet"], check=True)
    return list(sets), count


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory):
    port = free_port()
    handler = lambda *a, **k: Quiet(*a, directory=directory, **k)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, port


class Chromium:
    """A WebDriver session of headless Chromium through chromedriver, fresh (no cache) each time."""

    def __init__(self, driver_port):
        self.base = f"http://127.0.0.1:{driver_port}"
        caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": shutil.which("chromium") or "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--user-data-dir=" + tempfile.mkdtemp(prefix="bench-chromium-")]}}}}
        self.session = self.call("POST", "/session", caps)["sessionId"]
        self.base += f"/session/{self.session}"

    def call(self, method, path, body=None):
        data = json.dumps(body if body is not None else {}).encode() if method == "POST" else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.loads(r.read())["value"]

    def cdp(self, cmd, params):
        return self.call("POST", "/goog/cdp/execute", {"cmd": cmd, "params": params})

    def js(self, script):
        return self.call("POST", "/execute/sync", {"script": script, "args": []})

    def go(self, url):
        self.call("POST", "/url", {"url": url})

    def close(self):
        self.call("DELETE", "")


def bytes_of_view(driver_port, url, viewport, follow_first_photo):
    """Bytes transferred to open `url` at `viewport` and scroll to its end; with `follow_first_photo`,
    of opening the album's first photo link afterwards instead (counted alone)."""
    _, width, height, scale, mobile = viewport
    browser = Chromium(driver_port)
    try:
        browser.cdp("Network.enable", {})
        browser.cdp("Network.setCacheDisabled", {"cacheDisabled": True})
        browser.cdp("Emulation.setDeviceMetricsOverride",
                    {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile})
        browser.go(url)
        if follow_first_photo:
            link = browser.js("return document.querySelector('figure a').href;")
            browser.go(link)
        # Scroll to the end a screen at a time, so that every lazy image is asked for.
        for _ in range(400):
            done = browser.js("window.scrollBy(0, window.innerHeight);"
                              "return window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2;")
            time.sleep(0.15)
            if done:
                break
        time.sleep(1.0)
        total = browser.js(
            "const nav = performance.getEntriesByType('navigation').map(e => e.transferSize);"
            "const res = performance.getEntriesByType('resource').map(e => e.transferSize);"
            "return nav.concat(res).reduce((a, b) => a + b, 0);")
        return total
    finally:
        browser.close()


def measure(corpus, work, label, binary, driver_port):
    root = os.path.join(work, label)
    albums, photos = make_site(corpus, root, binary)
    html = os.path.join(root, "public", "html")
    images = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(html) for f in fs
                 if f.endswith((".webp", ".jpg", ".avif")))
    photo_pages = [os.path.getsize(os.path.join(d, "index.html")) for d, _, fs in os.walk(html)
                   if "index.html" in fs and os.path.dirname(os.path.dirname(d)).endswith("albums")
                   and not os.path.basename(d).isdigit()]
    server, port = serve(html)
    results = {}
    try:
        for album in albums:
            for view in ("album", "photo"):
                for vp in VIEWPORTS:
                    url = f"http://127.0.0.1:{port}/albums/{album}/index.html"
                    results[(album, view, vp[0])] = bytes_of_view(driver_port, url, vp, view == "photo")
    finally:
        server.shutdown()
    return results, images, photos, photo_pages


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    corpus = os.path.abspath(sys.argv[1])
    binaries = sys.argv[2:]
    if not binaries:
        subprocess.run(["cargo", "build", "--release", "-q"], cwd=REPO, check=True)
        binaries = [os.path.join(REPO, "target", "release", "capsule")]
    labels = ["before", "after"] if len(binaries) == 2 else ["capsule"]
    driver_port = free_port()
    driver = subprocess.Popen([shutil.which("chromedriver") or "/usr/bin/chromedriver", f"--port={driver_port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    work = tempfile.mkdtemp(prefix="bytes-per-view-")
    try:
        runs = {label: measure(corpus, work, label, os.path.abspath(b), driver_port)
                for label, b in zip(labels, binaries)}
    finally:
        driver.terminate()
    first = runs[labels[0]][0]
    print(f"{'album':8} {'view':6} {'screen':10} " + " ".join(f"{l:>10}" for l in labels)
          + ("      ratio" if len(labels) == 2 else ""))
    for key in first:
        album, view, screen = key
        values = [runs[l][0][key] for l in labels]
        row = f"{album:8} {view:6} {screen:10} " + " ".join(f"{v / 1000:>8.0f}KB" for v in values)
        if len(values) == 2:
            row += f"   {values[1] / values[0]:>7.2f}x"
        print(row)
    for label in labels:
        _, images, photos, pages = runs[label]
        per_photo = images / photos
        print(f"{label}: {photos} photos, {images / 1e6:.1f} MB of images ({per_photo / 1000:.0f} KB a photo,"
              f" {100e6 / per_photo:,.0f} photos per 100 MB)"
              + (f"; {len(pages)} photo pages, mean {sum(pages) / len(pages):,.0f} bytes" if pages else ""))


if __name__ == "__main__":
    main()
