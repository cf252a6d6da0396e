# Sourced by the benchmarks that use free recordings from Debian's packages: checks the tools they
# need and fetches a package's files (downloaded once into $dl, unpacked into $dl/PACKAGE).

# need TOOL...: stops with the missing tool's name.
need() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "missing: $tool (see the header of this script)" >&2; exit 2; }
  done
}

# need_soundfont: the sampled piano the MIDI pieces are played with.
sf2=/usr/share/sounds/sf2/FluidR3_GM.sf2
need_soundfont() {
  [ -f "$sf2" ] || { echo "missing: $sf2 (apt-get install fluid-soundfont-gm)" >&2; exit 2; }
}

# fetch_deb PACKAGE: its files under $dl/PACKAGE.
fetch_deb() {
  ls "$dl/$1"_*.deb >/dev/null 2>&1 || (cd "$dl" && apt-get download -q "$1" >/dev/null 2>&1)
  [ -d "$dl/$1" ] || { mkdir -p "$dl/$1" && dpkg-deb -x "$dl/$1"_*.deb "$dl/$1"; }
}
