#!/usr/bin/env bash
# Installs what the tests and benchmarks need beyond the Rust toolchain. Idempotent: does
# nothing when everything is already there.
#   - Debian's `thrift-compiler` (Apache Thrift 0.17): the reference the corpus figures and the
#     front-end timing script compare against, and whose `--gen rs` output the wire tests use.
#   - Debian's `nats-server` and `redis-server`, the brokers the cluster tests start.
#   - A Python venv (.venv) with Apache `thrift` and `thriftpy2` from PyPI, pytest and mypy,
#     and this repository's Python package (`python/`, editable) installed in it.
set -euo pipefail

if ! command -v thrift >/dev/null 2>&1; then
  echo "setup: installing Debian's thrift-compiler" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq thrift-compiler >/dev/null
fi
thrift --version >&2

# The brokers the cluster tests start (on free loopback ports, with temporary data): NATS and
# Redis, from Debian.
missing=""
command -v nats-server >/dev/null 2>&1 || missing="$missing nats-server"
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
if [ -n "$missing" ]; then
  echo "setup: installing$missing" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  # shellcheck disable=SC2086 # the package names are meant to split
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
  # Debian starts redis-server as a service; the tests start their own.
  $sudo service redis-server stop >/dev/null 2>&1 || true
fi

# A Python venv at .venv with the Python Thrift stacks the interop and wire tests talk to
# (pinned, so every machine tests against the same peers).
root="$(cd "$(dirname "$0")/.." && pwd)"
requirements="$root/scripts/python-requirements.txt"
venv="$root/.venv"
if ! cmp -s "$requirements" "$venv/installed-requirements.txt" 2>/dev/null; then
  echo "setup: creating the Python venv in .venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$venv/installed-requirements.txt"
fi
# The package in python/, installed editable: the venv runs the repository's code as it is.
if ! "$venv/bin/python" -c 'import sys, thrift_bidi; sys.exit(not thrift_bidi.__file__.startswith(sys.argv[1]))' "$root/python" 2>/dev/null; then
  echo "setup: installing python/ into the venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check --no-deps -e "$root/python"
fi
"$venv/bin/python" -c 'import thrift, thriftpy2, thrift_bidi; print("python peers: thriftpy2", thriftpy2.__version__)' >&2
