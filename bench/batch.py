"""Batch throughput: documents per second with 1 and 2 worker processes (issue 5).

Copies the shipped image samples (and MRZ text samples) N times into a temporary folder and
times `screening batch` through the installed command, so start-up, list loading, OCR and
report writing are all counted. Prints one row per --jobs value.

    .venv/bin/python bench/batch.py --copies 3 --jobs 1 2
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
LISTS = ["-w", str(ROOT / "watchlists/recruiters.csv"), "-w", str(ROOT / "watchlists/agencies.csv")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=3, help="copies of each sample")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    exe = str(Path(sys.executable).with_name("screening"))
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        folder = Path(tmp) / "scans"
        folder.mkdir()
        files = [p for p in SAMPLES.iterdir() if p.suffix in {".jpg", ".png", ".pdf"}]
        files += sorted((SAMPLES / "mrz").glob("*.txt"))
        for copy in range(args.copies):
            for path in files:
                shutil.copy(path, folder / f"{copy}_{path.name}")
        count = len(list(folder.iterdir()))
        print(
            f"batch of {count} files ({len(files)} samples x {args.copies}), {os.cpu_count()} cores"
        )
        print(f"{'jobs':>4} {'seconds':>8} {'docs/s':>7} {'speed-up':>8}")
        base = None
        for jobs in args.jobs:
            report = Path(tmp) / f"r{jobs}.jsonl"
            started = time.perf_counter()
            run = subprocess.run(
                [
                    exe,
                    "batch",
                    str(folder),
                    *LISTS,
                    "--today",
                    "2026-11-28",
                    "--jobs",
                    str(jobs),
                    "-o",
                    str(report),
                    "--no-audit",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            elapsed = time.perf_counter() - started
            lines = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
            documents = sum(1 for line in lines if line["type"] == "item")
            if run.returncode not in (0, 3, 4, 5):
                print(run.stderr)
                return 1
            base = base or elapsed
            print(f"{jobs:>4} {elapsed:>8.1f} {documents / elapsed:>7.2f} {base / elapsed:>7.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
