"""CI smoke run of the atheris harnesses in fuzz/: a short fixed time each, nothing found.

Each harness runs in a subprocess for FUZZ_SECONDS from a generated seed corpus, with
libFuzzer's per-input `-timeout` (a hang is a finding) and `-rss_limit_mb` (memory growth is
a finding). A finding makes libFuzzer exit non-zero and write a `crash-*`/`timeout-*`/`oom-*`
file, which the assertion names. Longer runs: `bench/fuzz.sh [seconds]`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytest.importorskip("atheris", reason="atheris (test dependency group) is not installed")

FUZZ_SECONDS = int(os.environ.get("SCREENING_FUZZ_SECONDS", "15"))
HARNESSES = {
    "mrz": ("fuzz_mrz.py", 512, 10),
    "watchlist": ("fuzz_watchlist.py", 512, 10),
    "images": ("fuzz_images.py", 1536, 20),
}


@pytest.mark.parametrize("kind", sorted(HARNESSES))
def test_harness_finds_nothing(kind: str, tmp_path: Path) -> None:
    """Only the project's own errors escape; no input hangs or blows the memory limit."""
    script, rss_mb, per_input_s = HARNESSES[kind]
    sys.path.insert(0, str(ROOT / "fuzz"))
    try:
        from _common import write_seeds  # noqa: PLC0415 - fuzz/ is not a package
    finally:
        sys.path.remove(str(ROOT / "fuzz"))
    corpus = write_seeds(kind, tmp_path / "corpus")
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "fuzz" / script),
            f"-max_total_time={FUZZ_SECONDS}",
            f"-timeout={per_input_s}",
            f"-rss_limit_mb={rss_mb}",
            f"-artifact_prefix={artifacts}/",
            "-print_final_stats=1",
            str(corpus),
        ],
        capture_output=True,
        text=True,
        timeout=FUZZ_SECONDS + 120,
        check=False,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    found = sorted(p.name for p in artifacts.iterdir())
    tail = done.stderr[-3000:]
    assert done.returncode == 0, f"{kind}: libFuzzer exit {done.returncode}, {found}\n{tail}"
    assert found == [], tail
    runs = [
        line
        for line in done.stderr.splitlines()
        if line.startswith("stat::number_of_executed_units")
    ]
    assert runs, tail
    assert int(runs[0].split(":")[-1]) > 50, "the harness barely ran"
