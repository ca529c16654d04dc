#!/usr/bin/env bash
# Runs the whole test suite, installing what a fresh machine lacks first. Lint runs too: a style
# fault fails the run just as a broken test does.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
QT_QPA_PLATFORM=offscreen exec .venv/bin/python -m pytest "$@"
