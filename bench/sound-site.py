#!/usr/bin/env python3
"""bench/sound.sh's helper.

sound-site.py RECORDINGS SITE
    makes the site: one playlist per recording, files renamed r01.. in a shuffled order (the kinds go to
    SITE/kinds.json, outside content/), no tags, one curator.
sound-site.py --score SITE PUBLIC_BEFORE PUBLIC_AFTER TIME_BEFORE TIME_AFTER
    reads each track's radio (its recommendations, best first) in both builds and prints the precision
    at 3 (how many of the first three are of the track's own kind) against chance, per kind and overall,
    and the analysis's cost.
"""
import json
import os
import random
import shutil
import sys


def make(recordings, site):
    kinds = {}
    with open(os.path.join(recordings, "kinds.txt")) as f:
        for line in f:
            name, kind = line.split()
            kinds[name] = kind
    names = sorted(kinds)
    random.Random(7).shuffle(names)
    if os.path.exists(site):
        shutil.rmtree(site)
    os.makedirs(os.path.join(site, "content", "playlists"))
    with open(os.path.join(site, "capsule.toml"), "w") as f:
        f.write('title = "Listening bench"\nlanguage = "en"\nhtml_base_url = "https://bench.example/"\n\n'
                '[library]\nlisten = true\n')
    with open(os.path.join(site, "content", "index.md"), "w") as f:
        f.write("+++\ntitle = \"Listening bench\"\n+++\n")
    hidden = {}
    for i, name in enumerate(names, 1):
        slug = f"r{i:02}"
        hidden[slug] = kinds[name]
        d = os.path.join(site, "content", "playlists", f"p{i:02}")
        os.makedirs(d)
        shutil.copyfile(os.path.join(recordings, name + ".flac"), os.path.join(d, slug + ".flac"))
        with open(os.path.join(d, "index.md"), "w") as f:
            f.write(f'+++\ntitle = "Playlist {i:02}"\ndate = 2024-01-{i % 28 + 1:02}\ncurator = "Bench"\n+++\n')
    with open(os.path.join(site, "kinds.json"), "w") as f:
        json.dump(hidden, f, indent=1, sort_keys=True)


def radio(public, slug):
    path = os.path.join(public, "html", "music", "radio", f"track-{slug}.m3u8")
    if not os.path.exists(path):
        return []
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                stem = os.path.splitext(os.path.basename(line))[0]
                if stem != slug:
                    out.append(stem)
    return out


def precision(kinds, public):
    per_kind = {}
    for slug, kind in kinds.items():
        first = radio(public, slug)[:3]
        hits = sum(1 for s in first if kinds.get(s) == kind)
        per_kind.setdefault(kind, []).append(hits / 3)
    every = [p for ps in per_kind.values() for p in ps]
    return {k: sum(v) / len(v) for k, v in per_kind.items()}, sum(every) / len(every)


def score(site, before, after, time_before, time_after):
    with open(os.path.join(site, "kinds.json")) as f:
        kinds = json.load(f)
    n = len(kinds)
    counts = {}
    for k in kinds.values():
        counts[k] = counts.get(k, 0) + 1
    chance = sum((counts[k] - 1) / (n - 1) for k in kinds.values()) / n
    b_kind, b_all = precision(kinds, before)
    a_kind, a_all = precision(kinds, after)
    print(f"{n} tag-less recordings of {len(counts)} kinds, one playlist each")
    print(f"{'kind':<12} {'tracks':>6} {'chance':>7} {'tags only':>10} {'with sound':>11}")
    for k in sorted(counts):
        c = (counts[k] - 1) / (n - 1)
        print(f"{k:<12} {counts[k]:>6} {c:>7.2f} {b_kind[k]:>10.2f} {a_kind[k]:>11.2f}")
    print(f"{'all':<12} {n:>6} {chance:>7.2f} {b_all:>10.2f} {a_all:>11.2f}")

    def cpu(path):
        user, system, wall = (float(x) for x in open(path).read().split()[-3:])
        return user + system, wall

    hours = n * 90 / 3600
    (cb, wb), (ca, wa) = cpu(time_before), cpu(time_after)
    print(f"music: {hours:.2f} h; first build without listening: {cb:.1f} s CPU ({wb:.1f} s wall), "
          f"with: {ca:.1f} s CPU ({wa:.1f} s wall)")
    print(f"encoding: {cb / hours:.0f} s of CPU per hour of music; listening: {(ca - cb) / hours:.0f} s "
          f"of CPU per hour of music (analysed: at most 180 s of each recording)")


if __name__ == "__main__":
    if sys.argv[1] == "--score":
        score(*sys.argv[2:7])
    else:
        make(sys.argv[1], sys.argv[2])
