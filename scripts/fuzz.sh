#!/usr/bin/env bash
# Fuzzing, on the stable toolchain: installs cargo-fuzz (once), then runs each target for
# SECONDS (default 60) without a sanitizer (`-s none`; the code is safe Rust, so the
# properties the targets assert are what is being checked). New inputs go to
# fuzz/corpus/TARGET; a failing input is written to fuzz/artifacts/TARGET/ (fix the bug, then
# keep the input in fuzz/regressions/TARGET/, which the test suite replays).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     targets: message json frames http idl
#
# Minimise a corpus that has grown with: cargo fuzz cmin -s none TARGET fuzz/corpus/TARGET
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(message json frames http idl)
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
for target in "${targets[@]}"; do
  seeds=()
  # The IDL target also starts from the project's own IDL (read, never written to).
  [ "$target" = idl ] && seeds=(compiler/tests/fixtures/valid compiler/tests/fixtures/errors idl-examples/idl tests/idl)
  mkdir -p "fuzz/corpus/$target"
  echo "== $target, ${seconds}s"
  cargo fuzz run -s none "$target" "fuzz/corpus/$target" "${seeds[@]}" -- \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048
done
