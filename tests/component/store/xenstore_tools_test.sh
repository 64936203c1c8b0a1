#!/usr/bin/env bash
# Debian's xenstore-utils, unchanged, against wardstore via XENSTORED_PATH.
#   xenstore_tools_test.sh WARDSTORE
set -u
WARDSTORE=$1
which xenstore-write >/dev/null || { echo "SKIP: xenstore-utils not installed"; exit 77; }
dir=$(mktemp -d /tmp/wardstore-tools-XXXXXX)
"$WARDSTORE" --socket "$dir/sock" --state-dir "$dir/state" 2>"$dir/log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do [ -S "$dir/sock" ] && break; sleep 0.05; done
export XENSTORED_PATH=$dir/sock
fail=0
check() { # name expected actual
    if [ "$2" != "$3" ]; then
        echo "FAIL $1: expected [$2] got [$3]"; fail=1
    else
        echo "ok   $1"
    fi
}
xenstore-write /t/a 1 /t/b "two words" || fail=1
check read "two words" "$(xenstore-read /t/b)"
check read-multi "$(printf '1\ntwo words')" "$(xenstore-read /t/a /t/b)"
check ls "$(printf 'a = "1"\nb = "two words"')" "$(xenstore-ls /t)"
check ls-f "$(printf '/t/a = "1"\n/t/b = "two words"')" "$(xenstore-ls -f /t)"
check list "$(printf 'a\nb')" "$(xenstore-list /t)"
xenstore-exists /t/a; check exists 0 $?
xenstore-exists /t/nope; check exists-missing 1 $?
xenstore-read /t/nope 2>/dev/null; check read-missing 1 $?
xenstore-chmod /t/a n5 r2 || fail=1
check chmod-ls-p 'a = "1"  . . . . . . . . . . . . . . . . . . . . . . . . . .  (n5,r2)' \
    "$(xenstore-ls -p /t | head -1)"
timeout 10 xenstore-watch -n 2 /t >"$dir/watch" &
wpid=$!
sleep 0.3
xenstore-write /t/c 3
wait $wpid
check watch "$(printf '/t\n/t/c')" "$(cat "$dir/watch")"
xenstore-rm /t/a || fail=1
xenstore-exists /t/a; check rm 1 $?
xenstore-rm -t /t/b || fail=1
check rm-tidy "c" "$(xenstore-list /t)"
check value-raw "x" "$(xenstore-write /raw x && xenstore-read -R /raw)"
kill -0 $pid || { echo "FAIL: wardstore died"; fail=1; }
exit $fail
