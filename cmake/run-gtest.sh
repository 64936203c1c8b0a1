#!/usr/bin/env bash
# Runs a GoogleTest binary; fails if it cannot list its tests or lists none.
set -uo pipefail
bin=$1; shift
list=$("$bin" --gtest_list_tests 2>&1) || { echo "run-gtest: $bin cannot list its tests:"; echo "$list"; exit 1; }
count=$(grep -c '^  ' <<<"$list" || true)
if [ "${count:-0}" -eq 0 ]; then
    echo "run-gtest: $bin lists no tests"
    exit 1
fi
exec "$bin" "$@"
