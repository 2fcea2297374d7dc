#!/usr/bin/env bash
# Seed each target's corpus from the test fixtures (run from fuzz/).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/call_records corpus/config corpus/op_decode corpus/bundle
cp ../tests/fixtures/calls/* corpus/call_records/
for d in ../tests/fixtures/config ../tests/fixtures/catalogs ../catalogs ../keymaps ../themes; do
  for f in "$d"/*.toml; do cp "$f" "corpus/config/$(basename "$d")-$(basename "$f")"; done
done
# A real bundle of the demo, and its ops as JSON lines.
tmp=$(mktemp -d)
cargo run -q --manifest-path ../Cargo.toml -- --data-dir "$tmp/db" demo --no-tui >/dev/null
cargo run -q --manifest-path ../Cargo.toml -- --data-dir "$tmp/db" export --out corpus/bundle/demo.zip --no-evidence >/dev/null
unzip -p corpus/bundle/demo.zip ops.jsonl | head -50 | split -l 1 - corpus/op_decode/op-
rm -rf "$tmp"
