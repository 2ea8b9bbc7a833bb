#!/usr/bin/env bash
# Build cost a user pays: a clean debug build of a tiny crate calling `credentials().store` on
# this SDK (default features), against the same crate on cloudflare-rs 0.14 with rustls, the
# Rust SDK people compare it with. Each build gets a fresh target directory; the two take turns
# for ROUNDS rounds (default 2), and the script prints every time, the medians, their ratio
# (ours / cloudflare-rs), and each build's crate count. Dependencies are fetched before timing.
#
#   bash bench/build-cost/run.sh [ROUNDS]
set -euo pipefail
shopt -s inherit_errexit
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rounds="${1:-2}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The two user crates: each a copy of its template, outside this workspace.
mkdir -p "$work/ours/src" "$work/theirs/src"
sed "s|@SDK@|$root/sdk|" "$here/ours.toml" > "$work/ours/Cargo.toml"
cp "$here/ours.rs" "$work/ours/src/main.rs"
cp "$here/theirs.toml" "$work/theirs/Cargo.toml"
cp "$here/theirs.rs" "$work/theirs/src/main.rs"
for crate in ours theirs; do
    (cd "$work/$crate" && cargo fetch --quiet)
done

crates() {
    (cd "$work/$1" && cargo tree -e normal,build --prefix none --no-dedupe | sed 's/ (.*//' | sort -u | wc -l)
}

build() { # prints the seconds a clean build of crate $1 took
    local target="$work/target-$1-$2"
    local start end
    start=$(date +%s.%N)
    (cd "$work/$1" && CARGO_TARGET_DIR="$target" cargo build --quiet --offline)
    end=$(date +%s.%N)
    rm -rf "$target"
    echo "$end - $start" | bc
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

ours=() theirs=()
for round in $(seq 1 "$rounds"); do
    seconds=$(build ours "$round")
    ours+=("$seconds")
    seconds=$(build theirs "$round")
    theirs+=("$seconds")
    echo "round $round: cloudflare-r2-catalog ${ours[-1]} s, cloudflare-rs 0.14 ${theirs[-1]} s"
done
ours_median=$(printf '%s\n' "${ours[@]}" | median)
theirs_median=$(printf '%s\n' "${theirs[@]}" | median)
echo "crates: cloudflare-r2-catalog $(crates ours), cloudflare-rs 0.14 $(crates theirs)"
echo "median: cloudflare-r2-catalog ${ours_median} s, cloudflare-rs 0.14 ${theirs_median} s"
printf 'build-cost: ours / cloudflare-rs = %.2f\n' "$(echo "$ours_median / $theirs_median" | bc -l)"
