#!/usr/bin/env bash
# Fails if any tracked or new C/C++ file differs from .clang-format; with --fix, formats them.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.cpp' '*.hpp' '*.h' '*.c' |
    while read -r f; do [ -f "$f" ] && echo "$f"; done)
if [ ${#files[@]} -eq 0 ]; then echo "format-check: no sources"; exit 0; fi
if [ "${1:-}" = "--fix" ]; then
    clang-format -i "${files[@]}"
    echo "format: ${#files[@]} files formatted"
    exit 0
fi
if ! clang-format --dry-run -Werror "${files[@]}" 2>/tmp/ward-format.$$; then
    grep -E '^[^ ].*: (error|warning):' /tmp/ward-format.$$ | cut -d: -f1 | sort -u | sed 's/^/  misformatted: /'
    rm -f /tmp/ward-format.$$
    echo "format-check: run 'make format'"
    exit 1
fi
rm -f /tmp/ward-format.$$
echo "format-check: ${#files[@]} files clean"
