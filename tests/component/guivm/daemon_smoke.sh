#!/usr/bin/env bash
# ward-guid as a process (offscreen platform) with two ward-test-agent guest processes: both
# domains connect, their windows are shown; a third domain with an unknown label is refused at
# start-up with a clear error.
set -uo pipefail
guid=$1 agent=$2
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$dir"' EXIT
export QT_QPA_PLATFORM=offscreen
printf 'red work #cc0000\nblue personal #0044cc\n' >"$dir/colours"

if "$guid" --colours "$dir/colours" --vchan-dir "$dir" --domain evil:green:9 2>"$dir/refused.log"; then
    echo "FAIL: ward-guid accepted a domain whose label has no colour"; exit 1
fi
grep -q "label 'green' has no colour" "$dir/refused.log" || { echo "FAIL: no clear error"; cat "$dir/refused.log"; exit 1; }

"$agent" --vchan-dir "$dir" --domid 1 --rect 100,100,300,200 --colour '#00ff00' >"$dir/a1.log" 2>&1 &
"$guid" --colours "$dir/colours" --vchan-dir "$dir" --domain mail:red:1 --domain home:blue:2 \
    --paste deny --exit-after 4000 >"$dir/guid.log" 2>&1 &
guid_pid=$!
sleep 1 # the second agent starts after the daemon: it keeps retrying
"$agent" --vchan-dir "$dir" --domid 2 --rect 500,300,300,200 --colour '#ffff00' >"$dir/a2.log" 2>&1 &
wait $guid_pid
rc=$?
sleep 0.5
cat "$dir"/*.log
[ $rc -eq 0 ] || { echo "FAIL: ward-guid exited $rc"; exit 1; }
for d in mail home; do
    grep -q "connected to $d" "$dir/guid.log" || { echo "FAIL: $d never connected"; exit 1; }
done
grep -q "window 0x100 shown" "$dir/a1.log" && grep -q "window 0x100 shown" "$dir/a2.log" ||
    { echo "FAIL: an agent never showed its window"; exit 1; }
grep -q "daemon closed the channel" "$dir/a1.log" || { echo "FAIL: agent 1 did not see the daemon go"; exit 1; }
echo "PASS: ward-guid served two domains and refused an uncoloured label"
