#!/usr/bin/env bash
# The one test command: formatting, lints, and the whole test suite. What CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
# Snapshot mismatches fail the run instead of writing new snapshots.
export INSTA_UPDATE=no

cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
# The OpenTelemetry example, outside the default build, kept compiling.
cargo clippy -p idl-examples --features otel --bins -- -D warnings
# --show-output: the corpus test reports `corpus: N/M accepted`.
cargo test --workspace -- --show-output
# The Python library (python/): its types under mypy --strict, then its tests, against the Rust
# example programs the cargo test above built.
(cd python && ../.venv/bin/python -m mypy thrift_bidi && ../.venv/bin/python -m pytest -q -p no:cacheprovider)
