#!/bin/sh
# Checks a cscaudit findings bundle with standard tools only: ssh-keygen,
# sha256sum and coreutils (see VERIFY.md). Run it in the unzipped bundle:
#   sh verify.sh
# Exit 0: every file is as listed, every batch of operations is signed by
# a key in signed/allowed_signers, and ops.jsonl holds exactly the signed
# operations. Otherwise it names the first failure and exits 1.
set -u
LC_ALL=C
export LC_ALL
cd "$(dirname "$0")" || exit 1
fail() {
    printf 'FAILED: %s\n' "$1" >&2
    exit 1
}
command -v ssh-keygen >/dev/null 2>&1 || fail "ssh-keygen is not installed (OpenSSH 8.2 or later)"
command -v sha256sum >/dev/null 2>&1 || fail "sha256sum is not installed (coreutils)"
[ -f SHA256SUMS ] || fail "SHA256SUMS is missing"
[ -f signed/allowed_signers ] || fail "signed/allowed_signers is missing"

# 1. Every file as SHA256SUMS lists it, and no file it does not list.
sha256sum -c --quiet --strict SHA256SUMS >/dev/null 2>&1 || fail "a file does not match SHA256SUMS (altered or damaged): run 'sha256sum -c SHA256SUMS' to see which"
tmp=$(mktemp -d) || fail "cannot make a temporary folder"
trap 'rm -rf "$tmp"' EXIT INT TERM
cut -c67- SHA256SUMS | sort > "$tmp/listed"
find . -type f ! -path ./SHA256SUMS ! -path ./manifest.json | sed 's|^\./||' | sort > "$tmp/present"
extra=$(comm -13 "$tmp/listed" "$tmp/present" | head -n 1)
[ -z "$extra" ] || fail "$extra is not listed in SHA256SUMS"

# 2. Every batch: signed by its author's registered key, its operations as signed.
n=0
for msg in signed/*.msg; do
    [ -e "$msg" ] || fail "no signed batches in the bundle"
    base=${msg%.msg}
    actor=$(sed -n 's/^actor //p' "$msg" | head -n 1)
    [ -n "$actor" ] || fail "$msg names no author"
    [ -f "$base.sig" ] || fail "$base: not signed (by $actor)"
    ssh-keygen -Y verify -f signed/allowed_signers -I "$actor" -n cscaudit-ops@v2 -s "$base.sig" < "$msg" >/dev/null 2>&1 ||
        fail "$base: the signature does not verify with the key registered for $actor"
    want=$(sed -n 's/^ops //p' "$msg" | head -n 1)
    got=$(sha256sum < "$base.ops" | cut -d ' ' -f 1)
    [ "$want" = "$got" ] || fail "$base: its operations are not what $actor signed"
    n=$((n + 1))
done

# 3. ops.jsonl holds the signed operations, no more, no fewer.
find signed -name '*.ops' -exec cat {} + | sort > "$tmp/signed-ops"
sort ops.jsonl > "$tmp/ops"
cmp -s "$tmp/signed-ops" "$tmp/ops" || fail "ops.jsonl differs from the operations the batches signed"

echo "OK: $n signed batches verified; $(wc -l < ops.jsonl | tr -d ' ') operations; every file as listed."
echo "Signing keys (compare with the fingerprints the team gave you):"
while read -r who _ns rest; do
    printf '  %s ' "$who"
    printf '%s\n' "$rest" | ssh-keygen -lf - 2>/dev/null | cut -d ' ' -f 2
done < signed/allowed_signers
exit 0
