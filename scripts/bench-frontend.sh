#!/usr/bin/env bash
# Front-end speed against Apache's compiler, in one run on the same files:
#   1. the in-process benchmark of our front end over the whole corpus (divan);
#   2. wall time of `thrift --gen rs` (Apache 0.17, Debian's thrift-compiler) run once per
#      corpus file with the corpus's include paths;
#   3. wall time of `thrift-bidi check` run the same way (process start-up included, as for 2);
#   4. the same loop running `true`, the cost of starting a process, to subtract from 2 and 3.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh 2>/dev/null

cargo bench -p thrift-bidi-tests --bench frontend
cargo build --release -q -p thrift-bidi-cli --bin thrift-bidi
corpus=$(cd ../shared/idl-corpus && pwd)
ours=$(pwd)/target/release/thrift-bidi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# path<TAB>-I args, as check-apache.sh builds them
list() {
  cd "$corpus"
  tail -n +2 SOURCES.tsv | while IFS=$'\t' read -r dir _ _ path _ _ _; do
    args="-I $dir"
    case "$dir/$path" in
      facebookarchive__scribe/*) args+=" -I apache__thrift/contrib" ;;
      apache__thrift/lib/go/test/*) args+=" -I apache__thrift/test" ;;
      apache__thrift/lib/rs/test_recursive/*)
        for d in src src/transit src/transit/services src/transit/light; do args+=" -I apache__thrift/lib/rs/test_recursive/$d"; done ;;
    esac
    printf '%s\t%s\n' "$dir/$path" "$args"
  done
}
files=$(list)

time_all() { # $@: command prefix; prints milliseconds for one pass over every file
  local start end
  start=$(date +%s%N)
  while IFS=$'\t' read -r f args; do
    # shellcheck disable=SC2086
    (cd "$corpus" && "$@" $args "$f" >/dev/null 2>&1) || true
  done <<<"$files"
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}

for round in 1 2 3; do
  baseline=$(time_all true)
  apache=$(time_all thrift --gen rs -out "$out")
  mine=$(time_all "$ours" check --color never)
  echo "round $round (189 files, one process each): apache thrift --gen rs ${apache} ms," \
    "thrift-bidi check ${mine} ms, process start-up alone (true) ${baseline} ms"
done
