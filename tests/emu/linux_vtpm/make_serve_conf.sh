#!/bin/sh
# make_serve_conf.sh WARD CONFIG NAME LABEL EVENTLOG OUT: what the builder hands the vTPM domain
# for the domain it serves: `ward measure CONFIG` writes the domain's event log to EVENTLOG, and
# OUT gets name=, label= and the launch measurement.
set -eu
ward=$1 cfg=$2 name=$3 label=$4 log=$5 out=$6
m=$("$ward" measure "$cfg" --event-log "$log" | awk '$1 == "measurement" {print $2}')
[ -n "$m" ] || { echo "make_serve_conf: no measurement from ward measure $cfg" >&2; exit 1; }
printf 'name=%s\nlabel=%s\nmeasurement=%s\n' "$name" "$label" "$m" >"$out.tmp"
mv "$out.tmp" "$out"
