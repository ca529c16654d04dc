#!/usr/bin/env bash
# Packs dist/iastm-trainer.app (made by packaging/build.sh on macOS) into a disk image a user opens
# and drags to Applications: dist/iastm-trainer-VERSION-macos-ARCH.dmg. The application is signed
# ad hoc by PyInstaller only, so the first start needs right-click > Open (or System Settings >
# Privacy & Security > Open Anyway) until it is signed and notarised with a developer ID.
set -euo pipefail
cd "$(dirname "$0")/../.."

app=dist/iastm-trainer.app
[ -d "$app" ] || { echo "build_dmg.sh: no $app; run packaging/build.sh on macOS first" >&2; exit 2; }
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' pyproject.toml | head -1)"
image="dist/iastm-trainer-$version-macos-$(uname -m).dmg"

stage=build/dmg
rm -rf "$stage"
mkdir -p "$stage"
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"
hdiutil create -volname "iastm-trainer $version" -srcfolder "$stage" -ov -format UDZO "$image"
rm -rf "$stage"
echo "built $image ($(du -h "$image" | cut -f1))"
