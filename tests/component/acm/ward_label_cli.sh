#!/usr/bin/env bash
# ward-label end to end: label domain configurations and resources against the desktop
# example policy; wrong kinds, unknown labels and bad resource names are refused and leave the
# files unchanged.
set -uo pipefail
tool=$1
src=$2
policy=$src/domains/policy/examples/desktop.xml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
run() {
    local name=$1 want=$2; shift 2
    "$@" >"$work/out" 2>"$work/err"
    local rc=$?
    [ "$rc" -eq "$want" ] || fail "$name: exit $rc, wanted $want; stderr: $(cat "$work/err")"
}
has() { grep -qF -- "$2" "$work/$1" || fail "$3: '$2' not in $1: $(cat "$work/$1")"; }

[ -x "$tool" ] || { echo "ward-label not built at $tool"; exit 1; }
cfg=$work/bank1.cfg
printf 'name = bank1\n# the banking domain\nlabel = personal\nkernel = vmlinuz\nmemory = 512\n' >"$cfg"

run dom-set 0 "$tool" --policy "$policy" set dom "$cfg" banking
[ "$(cat "$cfg")" = $'name = bank1\n# the banking domain\nlabel = banking\nkernel = vmlinuz\nmemory = 512' ] ||
    fail "dom-set: config now reads: $(cat "$cfg")"
run dom-get 0 "$tool" --policy "$policy" get dom "$cfg"
[ "$(cat "$work/out")" = "banking" ] || fail "dom-get: $(cat "$work/out")"

cp "$cfg" "$work/before"
run dom-resource-label 1 "$tool" --policy "$policy" set dom "$cfg" gpu
has err "label 'gpu' is a resource label, not a domain label" dom-resource-label
run dom-unknown 1 "$tool" --policy "$policy" set dom "$cfg" nosuch
has err "label 'nosuch' is not defined in policy 'ward-desktop'" dom-unknown
run dom-no-policy 1 "$tool" set dom "$cfg" work
has err "set needs --policy" dom-no-policy
cmp -s "$cfg" "$work/before" || fail "refused sets changed the config"

run dom-rm 0 "$tool" rm dom "$cfg"
run dom-get-unlabelled 1 "$tool" get dom "$cfg"
has err "the domain is unlabelled" dom-get-unlabelled
run dom-set-append 0 "$tool" --policy "$policy" set dom "$cfg" work
[ "$(tail -n 1 "$cfg")" = "label = work" ] || fail "dom-set-append: $(cat "$cfg")"

db=$work/resources
run res-set-disk 0 "$tool" --policy "$policy" --resources "$db" set res phy:/dev/sda2 disk_banking
run res-set-vtpm 0 "$tool" --policy "$policy" --resources "$db" set res vtpm:bank1 vtpm_banking
run res-set-net 0 "$tool" --policy "$policy" --resources "$db" set res net:uplink0 disk_untrusted
run res-domain-label 1 "$tool" --policy "$policy" --resources "$db" set res vtpm:bank1 banking
has err "label 'banking' is a domain label, not a resource label" res-domain-label
run res-bad-name 1 "$tool" --policy "$policy" --resources "$db" set res /dev/sda disk_work
has err "bad resource '/dev/sda'" res-bad-name
run res-get 0 "$tool" --policy "$policy" --resources "$db" get res vtpm:bank1
[ "$(cat "$work/out")" = "vtpm_banking" ] || fail "res-get: $(cat "$work/out")"
run res-list 0 "$tool" --policy "$policy" --resources "$db" list
[ "$(cat "$work/out")" = $'net:uplink0 disk_untrusted\nphy:/dev/sda2 disk_banking\nvtpm:bank1 vtpm_banking' ] ||
    fail "res-list: $(cat "$work/out")"
run res-rm 0 "$tool" --resources "$db" rm res phy:/dev/sda2
run res-get-gone 1 "$tool" --resources "$db" get res phy:/dev/sda2
has err "is unlabelled" res-get-gone

# A label the policy no longer defines is flagged by list (exit 1).
echo "file:/srv/old.img disk_retired" >>"$db"
run res-list-stale 1 "$tool" --policy "$policy" --resources "$db" list
has out "file:/srv/old.img disk_retired  INVALID: label 'disk_retired' is not defined" res-list-stale
# A malformed resource file is reported with its line.
printf 'phy:/dev/sda1\n' >"$work/broken"
run res-broken 1 "$tool" --resources "$work/broken" list
has err "broken:1: expected 'RESOURCE LABEL'" res-broken

run usage 2 "$tool"
run usage-kind 2 "$tool" get vm "$cfg"

if [ "$fails" -ne 0 ]; then
    echo "$fails check(s) failed"
    exit 1
fi
echo "ok: ward-label set/get/rm/list on domain configurations and resources"
