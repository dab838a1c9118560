#!/usr/bin/env bash
# The RPC comparison (tests/benches/rpc.rs): ours against the Apache crate, unpinned and then
# with client and server pinned to one core (PAYLOAD.md: waking an idle vCPU of these VMs
# costs tens of microseconds, so sequential latency swings with scheduling).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo bench -p thrift-bidi-tests --bench rpc --no-run
echo "== unpinned"
cargo bench -q -p thrift-bidi-tests --bench rpc
echo "== pinned to core 0"
taskset -c 0 cargo bench -q -p thrift-bidi-tests --bench rpc
