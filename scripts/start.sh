#!/usr/bin/env bash
# Starts iastm-trainer (on the built-in simulator when no tool is plugged in), installing what a
# fresh machine lacks first. Arguments are passed on: `bash scripts/start.sh score file.csv ...`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/iastm-trainer "$@"
