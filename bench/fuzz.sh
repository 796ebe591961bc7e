#!/bin/sh
# Run the atheris harnesses in fuzz/ for as long as you like (default 600 s each).
# Usage: bench/fuzz.sh [seconds] [mrz|watchlist|images ...]
# The corpus grows in bench/fuzz-corpus/<kind> (git-ignored); findings are written to
# bench/fuzz-findings/ as crash-*/timeout-*/oom-* files: replay one with
#   .venv/bin/python fuzz/fuzz_<kind>.py bench/fuzz-findings/crash-...
set -eu
cd "$(dirname "$0")/.."
seconds="${1:-600}"
[ $# -gt 0 ] && shift
kinds="${*:-mrz watchlist images}"
python=.venv/bin/python
mkdir -p bench/fuzz-findings
status=0
for kind in $kinds; do
    case "$kind" in
        images) rss=1536; per_input=20 ;;
        *) rss=512; per_input=10 ;;
    esac
    corpus="bench/fuzz-corpus/$kind"
    "$python" -c "import sys; sys.path.insert(0, 'fuzz'); from pathlib import Path; from _common import write_seeds; write_seeds('$kind', Path('$corpus'))"
    echo "== $kind: ${seconds}s"
    "$python" "fuzz/fuzz_$kind.py" -max_total_time="$seconds" -timeout="$per_input" \
        -rss_limit_mb="$rss" -artifact_prefix=bench/fuzz-findings/ -print_final_stats=1 \
        "$corpus" 2>&1 | grep -E '^(stat::|#[0-9]+ +DONE|==[0-9]+== ERROR|SUMMARY| === )' || true
    if ls bench/fuzz-findings/*-* >/dev/null 2>&1; then status=1; fi
done
[ "$status" -eq 0 ] && echo "no findings" || echo "findings in bench/fuzz-findings/"
exit "$status"
