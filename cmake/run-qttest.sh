#!/usr/bin/env bash
# Runs a QtTest binary offscreen (or under Xvfb for platform xcb); fails if it has no test functions.
set -uo pipefail
platform=$1; bin=$2; shift 2
funcs=$(QT_QPA_PLATFORM=offscreen "$bin" -functions 2>&1) || { echo "run-qttest: $bin -functions failed:"; echo "$funcs"; exit 1; }
if [ -z "$(grep -E '^[A-Za-z_][A-Za-z0-9_]*\(\)' <<<"$funcs")" ]; then
    echo "run-qttest: $bin has no test functions"
    exit 1
fi
if [ "$platform" = xcb ]; then
    exec xvfb-run -a -s "-screen 0 1280x800x24" env QT_QPA_PLATFORM=xcb "$bin" "$@"
fi
QT_QPA_PLATFORM=offscreen exec "$bin" "$@"
