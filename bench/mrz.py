"""Benchmark: MRZ texts parsed and validated per second (and repaired, for OCR arbitration).

Usage: .venv/bin/python bench/mrz.py [--seconds N]
Inputs: the shipped samples (samples/mrz/*.txt) and ../shared/data/mrz/strings.jsonl when
present; every document is parsed with parse_mrz and validated with validate_mrz.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import time
from pathlib import Path

from screening.errors import MrzSyntaxError
from screening.mrz.parse import parse_mrz, split_documents
from screening.mrz.repair import repair_mrz
from screening.mrz.validate import validate_mrz

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 28)


def _texts() -> list[str]:
    texts = [
        doc
        for path in sorted((ROOT / "samples" / "mrz").glob("*.txt"))
        for _, doc in split_documents(path.read_text(encoding="utf-8"))
    ]
    strings = ROOT.parent / "shared" / "data" / "mrz" / "strings.jsonl"
    if strings.is_file():
        texts.extend(
            "\n".join(json.loads(line)["lines"])
            for line in strings.read_text(encoding="utf-8").splitlines()
        )
    return texts


def _rate(texts: list[str], seconds: float, work) -> tuple[float, int]:
    done = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        for text in texts:
            work(text)
        done += len(texts)
    return done / (time.perf_counter() - started), done


def _parse_validate(text: str) -> None:
    with contextlib.suppress(MrzSyntaxError):
        validate_mrz(parse_mrz(text), TODAY)


def _parse_repair_validate(text: str) -> None:
    with contextlib.suppress(MrzSyntaxError):
        validate_mrz(repair_mrz(parse_mrz(text)), TODAY)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    texts = _texts()
    td3 = [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
    ]
    for label, inputs, work in (
        ("parse+validate, mixed corpus", texts, _parse_validate),
        ("parse+validate, TD3 specimen", td3, _parse_validate),
        ("parse+repair+validate, mixed corpus", texts, _parse_repair_validate),
    ):
        rate, done = _rate(inputs, args.seconds, work)
        print(
            f"{label:40s} {rate:10,.0f} MRZ/s  ({1e6 / rate:6.1f} us each, {done} runs, {len(inputs)} texts)"
        )


if __name__ == "__main__":
    main()
