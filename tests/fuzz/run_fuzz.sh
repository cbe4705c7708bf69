#!/usr/bin/env bash
# run_fuzz.sh [SECONDS] [HARNESS...] — build the libFuzzer harnesses of
# tests/fuzz with clang (ASan + UBSan, build-fuzz/) and run each for SECONDS
# (default 60), two at a time, from a copy of its seed corpus (corpus/HARNESS/
# and the files seeds.txt names) with its dictionary. Prints the executions and the corpus each reached; fails on any
# crash, leak or sanitizer report, leaving the input in build-fuzz/crashes/
# HARNESS/ (add it to tests/fuzz/corpus/HARNESS/: the replay tests then run
# it in every build). For hours: run_fuzz.sh 14400.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(csv jsonl template import script serve)
command -v clang >/dev/null || { echo "run_fuzz.sh: clang is not installed (.ci/install --tests installs it)" >&2; exit 1; }

# gcc builds enforce the warnings (.ci/run); clang adds a few of its own here
CC=clang cmake -S . -B build-fuzz -DSEGRT_FUZZ=ON -DSEGRT_WERROR=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j2 --target "${harnesses[@]/#/fuzz_}" >build-fuzz/build.log 2>&1 ||
    { tail -30 build-fuzz/build.log >&2; exit 1; }

dict_of() {
    case $1 in
        csv) echo tests/fuzz/csv.dict ;;
        jsonl|import) echo tests/fuzz/json.dict ;;
        template) echo tests/fuzz/template.dict ;;
        script) echo tests/fuzz/lua.dict ;;
        serve) echo tests/fuzz/serve.dict ;;
    esac
}

work=$(mktemp -d "${TMPDIR:-/tmp}/segrt-fuzz-run.XXXXXX")
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

run_one() {
    local h=$1 dir=$work/$1
    mkdir -p "$dir/corpus" "build-fuzz/crashes/$h"
    [ ! -d "tests/fuzz/corpus/$h" ] || cp tests/fuzz/corpus/"$h"/* "$dir/corpus/"
    awk -v h="$h" '$1 == h { print $2 }' tests/fuzz/seeds.txt | xargs -r cp -t "$dir/corpus/"
    if build-fuzz/tests/fuzz_"$h" "$dir/corpus" -dict="$(dict_of "$h")" -max_total_time="$seconds" \
        -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 -artifact_prefix="build-fuzz/crashes/$h/" \
        >"$dir/log" 2>&1; then
        local execs units
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
        units=$(find "$dir/corpus" -type f | wc -l)
        echo "fuzz_$h: ${seconds} s, ${execs:-?} executions, corpus ${units} inputs, no crash"
    else
        echo "fuzz_$h: FAILED; its input is in build-fuzz/crashes/$h/:" >&2
        grep -E "ERROR|SUMMARY|runtime error|Test unit written" "$dir/log" | head -20 >&2
        return 1
    fi
}

failed=0
for ((i = 0; i < ${#harnesses[@]}; i += 2)); do
    run_one "${harnesses[i]}" & a=$!
    b=
    if [ $((i + 1)) -lt ${#harnesses[@]} ]; then run_one "${harnesses[i + 1]}" & b=$!; fi
    wait "$a" || failed=1
    [ -z "$b" ] || wait "$b" || failed=1
done
exit $failed
