# ruff: noqa: INP001 - stand-alone scripts run by libFuzzer, not a package
"""atheris harness: MRZ text into the parser, validator, repair and name normaliser.

Run: .venv/bin/python fuzz/fuzz_mrz.py -max_total_time=60 -timeout=10 -rss_limit_mb=512 CORPUS
Only `ScreeningError` (here `MrzSyntaxError`) may escape; the validator, repair and name
normaliser must accept every parsed MRZ and every string without raising at all.
"""

from __future__ import annotations

import datetime as dt
import sys

import atheris

with atheris.instrument_imports(include=["screening"]):
    from screening.errors import ScreeningError
    from screening.mrz.parse import parse_mrz, parse_mrz_stream
    from screening.mrz.repair import repair_mrz, suggest_corrections
    from screening.mrz.validate import resolved_dates, validate_mrz
    from screening.names import normalize_name

TODAY = dt.date(2026, 11, 28)


def test_one_input(data: bytes) -> None:
    """One fuzz input: as a document, as a stream and as a name."""
    text = data.decode("utf-8", "replace")
    try:
        mrz = parse_mrz(text)
    except ScreeningError:
        mrz = None
    if mrz is not None:
        validate_mrz(mrz, TODAY)
        resolved_dates(mrz, TODAY)
        suggest_corrections(mrz)
        validate_mrz(repair_mrz(mrz), TODAY)
    for item in parse_mrz_stream(text):
        if not isinstance(item, ScreeningError):
            validate_mrz(item, TODAY)
    normalize_name(text[:4096])


def main() -> None:
    """Start libFuzzer with the command-line arguments."""
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
