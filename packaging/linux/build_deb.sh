#!/usr/bin/env bash
# Packs dist/iastm-trainer/ (from packaging/build.sh) into dist/iastm-trainer_VERSION_ARCH.deb:
# the bundle in /opt/iastm-trainer, the command /usr/bin/iastm-trainer, a menu entry and its icon.
# A user installs it with `sudo apt install ./iastm-trainer_VERSION_ARCH.deb` (or dpkg -i).
# gzip, not xz: 134 MB against 105 MB, but 45 s of a core against 107 s for the 343 MB bundle.
# Reused while the bundle it was made from is (dist/iastm-trainer.build-key).
#
# Depends: lists the Debian packages owning the libraries the bundle links to but does not carry
# (PyInstaller leaves out libc, libGL and the like on purpose), found with ldd and dpkg -S on the
# machine that builds it; build on the oldest distribution the package should install on.
set -euo pipefail
cd "$(dirname "$0")/../.."

bundle=dist/iastm-trainer
[ -x "$bundle/iastm-trainer" ] || { echo "build_deb.sh: no $bundle; run packaging/build.sh first" >&2; exit 2; }
command -v dpkg-deb >/dev/null || { echo "build_deb.sh: dpkg-deb not found (Debian/Ubuntu only)" >&2; exit 2; }

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' pyproject.toml | head -1)"
arch="$(dpkg --print-architecture)"
name="iastm-trainer_${version}_${arch}"
root="build/deb/$name"
key="$(cat dist/iastm-trainer.build-key 2>/dev/null || true)"
if [ -n "$key" ] && [ -f "dist/$name.deb" ] && [ "$(cat "dist/$name.deb.build-key" 2>/dev/null)" = "$key" ]; then
  echo "dist/$name.deb is up to date"
  exit 0
fi
rm -f "dist/$name.deb.build-key"
rm -rf "$root"
mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
  "$root/usr/share/icons/hicolor/256x256/apps" "$root/usr/share/icons/hicolor/scalable/apps" \
  "$root/usr/share/doc/iastm-trainer"

cp -a "$bundle" "$root/opt/iastm-trainer"
ln -s /opt/iastm-trainer/iastm-trainer "$root/usr/bin/iastm-trainer"
install -m 644 packaging/linux/iastm-trainer.desktop "$root/usr/share/applications/"
install -m 644 packaging/icons/iastm-trainer.png "$root/usr/share/icons/hicolor/256x256/apps/"
install -m 644 packaging/icons/iastm-trainer.svg "$root/usr/share/icons/hicolor/scalable/apps/"
cat > "$root/usr/share/doc/iastm-trainer/copyright" <<EOF
iastm-trainer is under the MIT licence. The program carries Python, Qt and other software; their
licences are in /opt/iastm-trainer/_internal/licences/.
EOF

# The system libraries the bundle needs from the machine, as the packages that provide them.
depends="$(
  find "$root/opt/iastm-trainer" -type f \( -name '*.so*' -o -name iastm-trainer \) -print0 \
    | xargs -0 ldd 2>/dev/null \
    | awk '$2 == "=>" && $3 ~ /^\// {print $3}' \
    | sort -u \
    | while read -r lib; do
        # A library the bundle carries a copy of is loaded from the bundle, not the system.
        [ -e "$root/opt/iastm-trainer/_internal/$(basename "$lib")" ] && continue
        case "$lib" in "$PWD/$root/"*) continue ;; esac
        dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null || true
      done \
    | cut -d: -f1 | sort -u | paste -sd, | sed 's/,/, /g'
)"
size_kb="$(du -sk "$root" | cut -f1)"
cat > "$root/DEBIAN/control" <<EOF
Package: iastm-trainer
Version: $version
Architecture: $arch
Maintainer: iastm-trainer developers <iastm-trainer@users.noreply.github.com>
Installed-Size: $size_kb
Depends: ${depends:-libc6}
Section: education
Priority: optional
Homepage: https://github.com/iastm-trainer/iastm-trainer
Description: practise IASTM strokes against an expert's force and angle envelope
 Reads an instrumented tool over USB serial (or a built-in simulator), cuts the stream into
 strokes, scores each against an instructor's expert envelope and says why. For education, not
 for clinical use. A self-contained build: it needs no Python on the machine.
EOF

dpkg-deb --root-owner-group -Zgzip --build "$root" "dist/$name.deb" >/dev/null
rm -rf "$root"
[ -n "$key" ] && printf '%s\n' "$key" > "dist/$name.deb.build-key"
echo "built dist/$name.deb ($(du -h "dist/$name.deb" | cut -f1))"
