#!/usr/bin/env bash
# bench-store: wardstore against Xen's oxenstored, same workload, same run.
#   run-bench.sh WARDSTORE WARDSTORE_BENCH OXENSTORED_RUN_SH WORKDIR
# Stores measured:
#   wardstore            state dir on the build disk, every commit fdatasync'ed (the default)
#   wardstore-process    state dir on the build disk, --durability=process: a reply leaves
#                        after write() to the journal, fdatasync follows within 5 ms (survives
#                        kill -9 of the store, not a power cut)
#   oxenstored           Debian's Xen 4.17 oxenstored via oxenstored-host/run.sh (persistent =
#                        false: it never writes to disk)
set -u
WARDSTORE=$1 BENCH=$2 OXS_RUN=$3 WORK=$4
mkdir -p "$WORK"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; }
trap cleanup EXIT
wait_sock() { for _ in $(seq 600); do [ -S "$1" ] && return 0; sleep 0.1; done; return 1; }

rm -rf "$WORK/ward"
"$WARDSTORE" --socket "$WORK/ward/sock" --state-dir "$WORK/ward/state" 2>/dev/null &
pids+=($!); ward_pid=$!
"$WARDSTORE" --socket "$WORK/ward/sock-process" --state-dir "$WORK/ward/state-process" \
    --durability=process 2>/dev/null &
pids+=($!); process_pid=$!
args=("wardstore=$WORK/ward/sock:$ward_pid" "wardstore-process=$WORK/ward/sock-process:$process_pid")

OXS=$WORK/oxenstored-host
rm -rf "$OXS/run"
bash "$OXS_RUN" "$OXS" >"$WORK/oxenstored.log" 2>&1 &
pids+=($!)
if wait_sock "$OXS/run/xenstored/socket"; then
    args+=("oxenstored=$OXS/run/xenstored/socket:$(cat "$OXS/oxenstored.pid")")
else
    echo "bench-store: oxenstored did not start (see $WORK/oxenstored.log); measuring wardstore only"
fi
wait_sock "$WORK/ward/sock" && wait_sock "$WORK/ward/sock-process" || { echo "wardstore did not start"; exit 1; }
echo "bench-store: $(nproc) cores, $(date -u +%FT%TZ)"
"$BENCH" "${args[@]}"
exit $?
