#!/usr/bin/env bash
# Builds capsule's packages into target/packages/, from this repository, on Debian 12 (amd64):
#   capsule_<version>_amd64.deb                 Debian 12, Ubuntu 22.04 and newer: double-click to install
#   capsule-<version>-x86_64-linux.tar.gz       a static binary (musl) for any Linux of the last years
#   capsule-<version>-windows-x86_64.zip        capsule.exe, cross-built with mingw-w64
#
#   bash packaging/build.sh                     all three, optimised (release profile)
#   bash packaging/build.sh --profile package-check
#                                               the .deb from the binary `cargo test` built, the other two
#                                               in the test profile without debug information (CI does
#                                               this: it checks the packaging, not the speed)
#   bash packaging/build.sh --only deb,musl     some of them
#
# Nothing here is compiled into capsule. The .deb is put together by dpkg-deb, which every Debian has:
# a package of one binary, a desktop entry, icons and the licence needs no more (cargo-deb would add a
# tool to compile and a second description of the same files).
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
only=deb,musl,windows
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) profile="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
wants() { [[ ",$only," == *",$1,"* ]]; }
# cargo's folder of a profile: dev builds go to debug/.
dir_of() { if [ "$profile" = dev ]; then echo debug; else echo "$profile"; fi; }

step() { printf '\n== %s\n' "$*"; }

need() {
  local missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    step "installing the packaging tools: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  fi
}

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
out=target/packages
stage=target/packages/stage
rm -rf "$stage"
mkdir -p "$out" "$stage"

need rsvg-convert:librsvg2-bin
# The icon at the sizes menus ask for, from our own SVG.
icons() {
  local to=$1
  mkdir -p "$to/scalable/apps"
  cp packaging/capsule.svg "$to/scalable/apps/capsule.svg"
  for n in 16 24 32 48 64 128 256; do
    mkdir -p "$to/${n}x${n}/apps"
    rsvg-convert -w "$n" -h "$n" packaging/capsule.svg -o "$to/${n}x${n}/apps/capsule.png"
  done
}

size() { stat -c %s "$1" | awk '{ printf "%.1f MB", $1 / 1000000 }'; }

if wants deb; then
  step "capsule $version for Debian and Ubuntu (.deb, $profile profile)"
  need dpkg-deb:dpkg objdump:binutils
  if [ "$profile" = release ]; then
    cargo build --locked --profile release
    binary=target/release/capsule
  else
    # The binary the test build made (its dependencies have the tests' features: `cargo build` would
    # compile them all again).
    cargo test --locked --no-run -q
    binary=target/debug/capsule
  fi
  root="$stage/deb"
  install -D -m 0755 "$binary" "$root/usr/bin/capsule"
  strip "$root/usr/bin/capsule"
  install -D -m 0644 packaging/capsule.desktop "$root/usr/share/applications/capsule.desktop"
  icons "$root/usr/share/icons/hicolor"
  mkdir -p "$root/usr/share/doc/capsule"
  { cat packaging/copyright.head; sed -e 's/^[[:space:]]*$/./' -e 's/^/ /' LICENSE; } \
    > "$root/usr/share/doc/capsule/copyright"
  chmod 0644 "$root/usr/share/doc/capsule/copyright"
  # The binary may need nothing newer than Ubuntu 22.04's C library (2.35).
  glibc=$(objdump -T "$root/usr/bin/capsule" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -n 1)
  if [ "$(printf '%s\n2.35\n' "$glibc" | sort -V | tail -n 1)" != 2.35 ]; then
    echo "capsule needs glibc $glibc, newer than Ubuntu 22.04's 2.35" >&2
    exit 1
  fi
  needed=$(objdump -p "$root/usr/bin/capsule" | awk '/NEEDED/ { print $2 }' | sort | tr '\n' ' ')
  for lib in $needed; do
    case "$lib" in
      libc.so.6|libm.so.6|libgcc_s.so.1|ld-linux-x86-64.so.2) ;;
      *) echo "capsule links $lib, which is not part of the C library: link it in" >&2; exit 1 ;;
    esac
  done
  mkdir -p "$root/DEBIAN"
  cat > "$root/DEBIAN/control" <<CONTROL
Package: capsule
Version: $version
Architecture: amd64
Maintainer: The capsule developers <capsule@deuxfleurs.fr>
Installed-Size: $(du -sk "$root/usr" | cut -f1)
Depends: libc6 (>= $glibc), libgcc-s1
Section: web
Priority: optional
Description: publish photo albums and music on the small web
 capsule turns albums of photos and playlists of music, written as Markdown,
 into two small websites: a Gemini capsule and an HTML site with no
 JavaScript, with heavily compressed media. It edits them in your web
 browser (start "capsule" from the applications menu) and publishes them to
 an S3 bucket, such as the Deuxfleurs collective's, and to a Gemini host.
CONTROL
  deb="$out/capsule_${version}_amd64.deb"
  dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
  echo "$deb: $(size "$deb") (binary needs glibc >= $glibc; links: $needed)"
fi

# The desktop entry, icon and a few lines on installing by hand, beside a binary.
by_hand() {
  local to=$1 exe=$2
  cp packaging/capsule.desktop packaging/capsule.svg "$to/"
  cp LICENSE "$to/LICENSE.txt"
  cp "packaging/INSTALL-$exe.txt" "$to/INSTALL.txt"
}

if wants musl; then
  step "capsule $version as a static Linux binary (musl, $profile profile)"
  need musl-gcc:musl-tools
  rustup target list --installed 2>/dev/null | grep -qx x86_64-unknown-linux-musl \
    || rustup target add x86_64-unknown-linux-musl
  CC_x86_64_unknown_linux_musl=musl-gcc cargo build --locked --profile "$profile" \
    --target x86_64-unknown-linux-musl
  name="capsule-$version-x86_64-linux"
  to="$stage/$name"
  mkdir -p "$to"
  install -m 0755 "target/x86_64-unknown-linux-musl/$(dir_of)/capsule" "$to/capsule"
  strip "$to/capsule"
  if objdump -p "$to/capsule" | grep -q NEEDED; then
    echo "the musl binary is not static" >&2
    exit 1
  fi
  by_hand "$to" linux
  tar -C "$stage" -czf "$out/$name.tar.gz" "$name"
  echo "$out/$name.tar.gz: $(size "$out/$name.tar.gz")"
fi

if wants windows; then
  step "capsule $version for Windows (mingw-w64, $profile profile)"
  need x86_64-w64-mingw32-gcc:gcc-mingw-w64-x86-64
  rustup target list --installed 2>/dev/null | grep -qx x86_64-pc-windows-gnu \
    || rustup target add x86_64-pc-windows-gnu
  cargo build --locked --profile "$profile" --target x86_64-pc-windows-gnu
  name="capsule-$version-windows-x86_64"
  to="$stage/$name"
  mkdir -p "$to"
  install -m 0755 "target/x86_64-pc-windows-gnu/$(dir_of)/capsule.exe" "$to/capsule.exe"
  x86_64-w64-mingw32-strip "$to/capsule.exe"
  by_hand "$to" windows
  rm -f "$out/$name.zip"
  (cd "$stage" && python3 -m zipfile -c "../$name.zip" "$name")
  echo "$out/$name.zip: $(size "$out/$name.zip")"
fi
rm -rf "$stage"
