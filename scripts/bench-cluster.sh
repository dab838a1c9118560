#!/usr/bin/env bash
# The cluster's overhead (tests/benches/cluster.rs), on a nats-server and a redis-server the
# bench starts itself: a push said on the listener's node against one said on another node
# (p50, p99), and fan-out to 1,000 clients on one node against 1,000 over three.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo bench -q -p thrift-bidi-tests --bench cluster
