#!/usr/bin/env bash
# Builds the one-folder bundle dist/iastm-trainer/ (a program that needs no Python) on the machine
# it runs on: Linux, macOS, or Windows under Git Bash. The same script runs here, in .ci/run (via
# the frozen smoke test) and in every job of .github/workflows/bundles.yml.
#
#   bash packaging/build.sh          build, or reuse the bundle if it was built from the same
#                                    sources and packages (packaging/build_key.py)
#   bash packaging/build.sh --force  build even so
#   bash packaging/build.sh --deb    Linux: also the .deb (packaging/linux/build_deb.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

force=0
deb=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    --deb) deb=1 ;;
    *) echo "build.sh: unknown option '$arg' (--force, --deb)" >&2; exit 2 ;;
  esac
done

case "$(uname -s)" in
  MINGW* | MSYS* | CYGWIN*) PY=.venv/Scripts/python.exe; BASE_PY="${PYTHON:-python}" ;;
  *) PY=.venv/bin/python; BASE_PY="${PYTHON:-python3}" ;;
esac

# Linux: the README's set-up (Qt's system libraries, .venv with the project). Elsewhere the runner
# provides Python and this makes the virtual environment.
if [ "$(uname -s)" = Linux ]; then
  bash scripts/setup.sh
fi
[ -x "$PY" ] || "$BASE_PY" -m venv .venv
stamp=.venv/.installed-packaging
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] \
  || ! "$PY" -c "import PyInstaller, piplicenses" >/dev/null 2>&1; then
  "$PY" -m pip install -q --upgrade pip
  "$PY" -m pip install -q -e ".[packaging]"
  touch "$stamp"
fi

mkdir -p build dist
# Two builds at once in one tree (two test runs) would write the same folders: take turns.
if command -v flock >/dev/null 2>&1; then
  exec 9>build/.build.lock
  flock 9
fi

exe=dist/iastm-trainer/iastm-trainer
[ -f "$exe" ] || exe="$exe.exe"
key="$("$PY" packaging/build_key.py)"
if [ "$force" = 0 ] && [ -n "$key" ] && [ -f "$exe" ] \
  && [ "$(cat dist/iastm-trainer.build-key 2>/dev/null)" = "$key" ]; then
  echo "dist/iastm-trainer/ is up to date ($key)"
else
  rm -f dist/iastm-trainer.build-key
  rm -rf build/licences
  "$PY" packaging/licences.py build/licences
  "$PY" -m PyInstaller --noconfirm --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/iastm-trainer.spec
  if [ "$(uname -s)" = Linux ] && command -v dpkg >/dev/null 2>&1; then
    "$PY" packaging/linux/system_licences.py build/pyinstaller/iastm-trainer/COLLECT-00.toc \
      dist/iastm-trainer/_internal/licences/debian
  fi
  [ -n "$key" ] && printf '%s\n' "$key" > dist/iastm-trainer.build-key
  echo "built dist/iastm-trainer/ ($(du -sh dist/iastm-trainer | cut -f1))"
fi

if [ "$deb" = 1 ]; then
  bash packaging/linux/build_deb.sh
fi
