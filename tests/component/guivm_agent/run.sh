#!/usr/bin/env bash
# Skips (77) when Xvfb is missing; otherwise runs the QtTest binary on the offscreen platform.
set -uo pipefail
command -v Xvfb >/dev/null || { echo "SKIP: Xvfb is not installed (cmake/debian-packages.txt)"; exit 77; }
QT_QPA_PLATFORM=offscreen exec "$1"
