#!/bin/sh
# Runs every fuzz target for N minutes (default 10), one after the other, at the
# lowest CPU priority, then minimises each corpus in place (keep it small: it is
# committed). Needs cargo-fuzz (`cargo install cargo-fuzz`); on a stable toolchain
# RUSTC_BOOTSTRAP=1 lets it use the nightly-only flags it needs.
#
#   fuzz/run.sh [minutes] [target...]
#
# -timeout=60: a run niced on a busy machine can stall for seconds without being slow
# itself. FUZZ_SANITIZER=none builds without AddressSanitizer (the default is address). A
# crash stops the script with the input saved under fuzz/artifacts/<target>/.
set -eu
cd "$(dirname "$0")"
minutes=${1:-10}
[ $# -gt 0 ] && shift
targets=${*:-"question_set custom_id dm_answers answers_toml"}
sanitizer=${FUZZ_SANITIZER:-address}
export RUSTC_BOOTSTRAP=1
seconds=$((minutes * 60))
for target in $targets; do
    mkdir -p "corpus/$target"
    echo "== $target: $minutes min (sanitizer: $sanitizer)"
    nice -n 19 cargo fuzz run -s "$sanitizer" "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=65536 -timeout=60 -rss_limit_mb=2048 \
        -print_final_stats=1
    nice -n 19 cargo fuzz cmin -s "$sanitizer" "$target" "corpus/$target"
done
echo "no crash in: $targets"
