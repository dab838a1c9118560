#!/usr/bin/env bash
# Instructions per call, counted by callgrind (repeatable where times are not): runs
# tests/examples/call-count.rs with 200 and with 2,200 calls for each setup and prints the
# difference over 2,000. Usage: scripts/call-count.sh [SETUP...] (default: plain layered typical)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "call-count: valgrind is needed" >&2; exit 1; }
cargo build --release -q -p thrift-bidi-tests --example call-count
binary=${CARGO_TARGET_DIR:-target}/release/examples/call-count
count() {
    local out
    out=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$out" "$binary" "$1" "$2" 2>/dev/null
    awk '/^summary:/ { print $2 }' "$out"
    rm -f "$out"
}
for setup in "${@:-plain layered typical}"; do
    for one in $setup; do
        few=$(count "$one" 200)
        many=$(count "$one" 2200)
        echo "$one: $(( (many - few) / 2000 )) instructions per call"
    done
done
