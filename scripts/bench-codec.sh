#!/usr/bin/env bash
# The codec comparison (tests/benches/codec.rs): encode and decode of the standard payload,
# ours (default configuration, and the fast one: ByteString strings, foldhash maps) and the
# Apache crate in the same run, then a table of median ns/item, MB/s and the ratio to Apache.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
out=$(mktemp)
trap 'rm -f "$out"' EXIT
cargo bench -q -p thrift-bidi-tests --bench codec | tee "$out"
echo
python3 scripts/codec-table.py < "$out"
