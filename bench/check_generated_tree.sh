#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest bench_generated_tree_checks: vuurmuur-bench-gen must write a deterministic tree with
# the textdir modes that `vuurmuur-script check` accepts with zero errors.
#
#   check_generated_tree.sh PATH/TO/vuurmuur-bench-gen PATH/TO/vuurmuur-script
set -euo pipefail

gen=${1:?usage: check_generated_tree.sh GEN SCRIPT}
script=${2:?usage: check_generated_tree.sh GEN SCRIPT}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vm-bench-gen.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

args=(--zones 4 --networks 9 --hosts 120 --rules 400 --seed 42)
"$gen" --quiet "${args[@]}" "$tmp/a" || fail "vuurmuur-bench-gen failed"
"$gen" --quiet "${args[@]}" "$tmp/b" || fail "vuurmuur-bench-gen failed (second run)"
diff -r "$tmp/a" "$tmp/b" >/dev/null || fail "the same arguments gave different trees"
"$gen" --quiet --zones 4 --networks 9 --hosts 120 --rules 400 --seed 43 "$tmp/c" ||
    fail "vuurmuur-bench-gen failed (other seed)"
if diff -q "$tmp/a/rules/rules.conf" "$tmp/c/rules/rules.conf" >/dev/null; then
    fail "a different seed gave the same rules"
fi
"$gen" --quiet "${args[@]}" "$tmp/a" 2>/dev/null && fail "overwrote an existing tree"

bad=$(find "$tmp/a" \( -type f ! -perm 0600 \) -o \( -type d ! -perm 0700 \) -print)
[[ -z $bad ]] || fail "wrong modes (files must be 0600, directories 0700):"$'\n'"$bad"

[[ $(grep -c '^RULE=' "$tmp/a/rules/rules.conf") -ge 400 ]] || fail "fewer rules than asked for"
[[ $(find "$tmp/a/zones" -name '*.host' | wc -l) -eq 120 ]] || fail "not 120 host files"

rc=0
out=$("$script" --config-dir "$tmp/a" check 2>&1) || rc=$?
printf '%s\n' "$out"
[[ $rc -eq 0 ]] || fail "vuurmuur-script check exited $rc"
grep -q ': 0 errors, ' <<<"$out" || fail "vuurmuur-script check reported errors"
echo "PASS"
