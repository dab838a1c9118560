#!/usr/bin/env bash
# Installs what the tests and benchmarks need beyond the Rust toolchain. Idempotent: does
# nothing when everything is already there.
#   - Debian's `thrift-compiler` (Apache Thrift 0.17): the reference the corpus figures and the
#     front-end timing script compare against.
set -euo pipefail

if ! command -v thrift >/dev/null 2>&1; then
  echo "setup: installing Debian's thrift-compiler" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq thrift-compiler >/dev/null
fi
thrift --version >&2
