#!/usr/bin/env bash
# Runs one libFuzzer target for a few seconds on a scratch copy of its seed corpus.
set -euo pipefail
bin=$1 seconds=$2 work=$3 seeds=$4
mkdir -p "$work"
exec "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    "$work" "$seeds"
