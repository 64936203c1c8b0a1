#!/usr/bin/env bash
# ward-policy end to end: compile, check, show, explain, diff, labels on the desktop example
# policy and on broken inputs. Every step must give the exact result; any mismatch fails.
set -uo pipefail
tool=$1
src=$2
example=$src/domains/policy/examples/desktop.xml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# run NAME EXPECTED_RC CMD... : runs, keeps stdout in $work/out and stderr in $work/err.
run() {
    local name=$1 want=$2; shift 2
    "$@" >"$work/out" 2>"$work/err"
    local rc=$?
    [ "$rc" -eq "$want" ] || fail "$name: exit $rc, wanted $want; stderr: $(cat "$work/err")"
}
has() { grep -qF -- "$2" "$work/$1" || fail "$3: '$2' not in $1: $(head -c 600 "$work/$1")"; }

[ -x "$tool" ] || { echo "ward-policy not built at $tool"; exit 1; }

run check 0 "$tool" check "$example"
has out "ok: policy ward-desktop 1.0, 7 STE types, 5 Chinese Wall types, 1 conflict sets, 17 labels, bootstrap ward" check

run compile 0 "$tool" compile "$example" -o "$work/desktop.bin"
[ "$(head -c 4 "$work/desktop.bin")" = "WACM" ] || fail "compile: no WACM magic"
[ ! -e "$work/desktop.bin.tmp" ] || fail "compile left its temporary file"
has out "sha256:" compile

run show 0 "$tool" show "$work/desktop.bin"
has out "policy: ward-desktop version 1.0" show
has out "labels: 17" show
has out "  banking_alone: cw_banking, cw_untrusted" show
has out "  vm  untrusted  ste: ste_untrusted  cw: cw_untrusted  colour #d03030" show
# The dump of the binary and of the XML agree.
cp "$work/out" "$work/show.bin.txt"
run show-xml 0 "$tool" show "$example"
cmp -s "$work/out" "$work/show.bin.txt" || fail "show: XML and binary dumps differ"

run explain-deny 0 "$tool" explain "$work/desktop.bin" banking untrusted
[ "$(sed -n 1p "$work/out")" = "share: deny" ] || fail "explain: line 1 $(sed -n 1p "$work/out")"
[ "$(sed -n 2p "$work/out")" = "coexist: deny" ] || fail "explain: line 2 $(sed -n 2p "$work/out")"
has out "both in conflict set 'banking_alone'" explain-deny
has out "'cw_banking'" explain-deny

run explain-allow 0 "$tool" explain "$work/desktop.bin" personal gui
[ "$(head -n 2 "$work/out")" = $'share: allow\ncoexist: allow' ] || fail "explain-allow: $(head -n 2 "$work/out")"
has out "through STE type 'ste_personal'" explain-allow

run explain-use 0 "$tool" explain "$work/desktop.bin" banking vtpm_banking
[ "$(head -n 2 "$work/out")" = $'share: allow\ncoexist: allow' ] || fail "explain-use: $(head -n 2 "$work/out")"

run explain-unknown 1 "$tool" explain "$work/desktop.bin" banking nosuch
has err "unknown label 'nosuch'" explain-unknown

run labels 0 "$tool" labels "$work/desktop.bin"
has out "banking vm #d4a017" labels
has out "gpu res -" labels

# Malformed XML: file, line, column, element; no binary.
printf '<?xml version="1.0"?>\n<SecurityPolicyDefinition xmlns="http://www.ibm.com">\n  <PolicyHeader>\n    <PolicyName>x</Type>\n' >"$work/bad.xml"
run malformed 1 "$tool" compile "$work/bad.xml" -o "$work/bad.bin"
has err "bad.xml:4:25: <PolicyName>: malformed XML" malformed
[ ! -e "$work/bad.bin" ] || fail "malformed: a binary was written"

# A semantic error: a label naming an undefined type; no binary.
sed 's|<SimpleTypeEnforcementTypes><Type>ste_input</Type>|<SimpleTypeEnforcementTypes><Type>ste_nope</Type>|' \
    "$example" >"$work/undefined.xml"
run undefined 1 "$tool" compile "$work/undefined.xml" -o "$work/undefined.bin"
has err "label 'input' names undefined STE type 'ste_nope'" undefined
[ ! -e "$work/undefined.bin" ] || fail "undefined: a binary was written"
run check-undefined 1 "$tool" check "$work/undefined.xml"

# Missing bootstrap label.
sed 's|<SubjectLabels bootstrap="ward">|<SubjectLabels>|' "$example" >"$work/noboot.xml"
run noboot 1 "$tool" check "$work/noboot.xml"
has err "missing bootstrap label" noboot

# The loader refuses a binary whose digest or version does not match, and says so.
cp "$work/desktop.bin" "$work/flipped.bin"
printf 'Z' | dd of="$work/flipped.bin" bs=1 seek=400 conv=notrunc 2>/dev/null
run digest 1 "$tool" show "$work/flipped.bin"
has err "digest mismatch" digest
cp "$work/desktop.bin" "$work/v2.bin"
printf '\x02' | dd of="$work/v2.bin" bs=1 seek=4 conv=notrunc 2>/dev/null
run version 1 "$tool" show "$work/v2.bin"
has err "unsupported binary policy version" version
cp "$work/desktop.bin" "$work/magic.bin"
printf 'X' | dd of="$work/magic.bin" bs=1 seek=0 conv=notrunc 2>/dev/null
run magic 1 "$tool" show "$work/magic.bin"
has err "bad magic: not a Ward binary ACM policy" magic
head -c 100 "$work/desktop.bin" >"$work/short.bin"
run truncated 1 "$tool" show "$work/short.bin"
has err "truncated" truncated

# diff: nothing revoked against itself; a stricter policy revokes and says what.
run diff-same 0 "$tool" diff "$work/desktop.bin" "$example"
has out "revoked: 0" diff-same
sed 's|</ConflictSets>|<Conflict name="work_alone"><Type>cw_work</Type><Type>cw_untrusted</Type></Conflict></ConflictSets>|' \
    "$example" >"$work/stricter.xml"
run diff-stricter 1 "$tool" diff "$work/desktop.bin" "$work/stricter.xml"
has out "coexist revoked: 'untrusted' <-> 'work' (conflict set 'work_alone' separates 'cw_untrusted' and 'cw_work')" diff-stricter
has out "revoked: 1 (labels 0, share 0, use 0, coexist 1)" diff-stricter
run diff-back 0 "$tool" diff "$work/stricter.xml" "$work/desktop.bin"
has out "coexist granted: 'untrusted' <-> 'work'" diff-back

run diff-unreadable 2 "$tool" diff "$work/desktop.bin" "$work/bad.xml"
has err "malformed XML" diff-unreadable
run usage 2 "$tool"
run usage-cmd 2 "$tool" frobnicate
run usage-args 2 "$tool" compile "$example"
run missing 1 "$tool" check "$work/nonexistent.xml"
has err "cannot open file" missing

if [ "$fails" -ne 0 ]; then
    echo "$fails check(s) failed"
    exit 1
fi
echo "ok: ward-policy compile/check/show/explain/diff/labels end to end"
