#!/usr/bin/env bash
# Instructions per call of the SDK's store-credential call and of bare reqwest, counted by
# valgrind's callgrind over the bench's `--profile` mode (one client, one thread, so the counts
# repeat from run to run). Each is run at two call counts; the difference divided by the extra
# calls leaves start-up out. Usage: bash bench/callgrind.sh  (needs valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "callgrind.sh needs valgrind" >&2; exit 2; }
cargo build --release --locked -q -p r2-catalog-bench
bench=target/release/r2-catalog-bench
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count() { # count <sdk|raw> <calls>: the program's total instructions
    valgrind --tool=callgrind --callgrind-out-file="$out/$1.$2" "$bench" --profile "$1" --calls "$2" \
        >/dev/null 2>"$out/log"
    grep -E '^(summary|totals):' "$out/$1.$2" | head -1 | awk '{print $2}'
}
per_call() { echo $(( ($(count "$1" 1200) - $(count "$1" 200)) / 1000 )); }
sdk=$(per_call sdk)
raw=$(per_call raw)
awk -v sdk="$sdk" -v raw="$raw" \
    'BEGIN { printf "instructions per call: sdk %d, raw reqwest %d, sdk/raw = %.3f\n", sdk, raw, sdk / raw }'
