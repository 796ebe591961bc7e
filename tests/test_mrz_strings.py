"""Every row of ../shared/data/mrz/strings.jsonl: verdict, failing check digits and fields.

The rows' `validity_definition`: valid = line lengths + charset + every check digit (the TD1
long-document-number rule and a `<` check digit for an all-filler field accepted); country
codes and date plausibility are NOT part of it. So `valid` is compared with "no failing
`check_digit:*` and no failing `charset` check", and `which_checks_fail` with the failing
`check_digit:<name>` codes. Deviations, each investigated:

- row "German visa" (MRV-B): the row's own `parse_vs_source_differences` records that its
  positional value `<2020711` differs from the source library's `2020711`. Our optional data
  drops leading fillers (as the TD1 rows of the same file require: `<9999999M<999<<` ->
  `9999999M<999`), so we reproduce the source's value.
- the French national ID row (`valid: null`, "not an ICAO 9303 layout"): it is parsed as TD2
  and must not pass; we also flag it by a failing `document_code` check that names it.
- the 43-character row: `MrzSyntaxError(code="invalid_length")`.
"""

from __future__ import annotations

import json

import pytest

from conftest import SHARED_DATA, TODAY
from screening.errors import MrzSyntaxError
from screening.mrz.parse import parse_mrz
from screening.mrz.validate import validate_mrz

STRINGS = SHARED_DATA / "mrz" / "strings.jsonl"
ROWS = (
    [json.loads(line) for line in STRINGS.read_text(encoding="utf-8").splitlines() if line]
    if STRINGS.is_file()
    else []
)
# The file's field names -> ours (documented in model.Mrz).
ALIASES = {
    "personal_number": "optional_data",
    "optional": "optional_data",
    "optional1": "optional_data",
    "optional2": "optional_data_2",
}


def _row_id(row: dict) -> str:
    return f"{row.get('type')}:{row['note'][:40]}"


@pytest.fixture(autouse=True)
def _needs_data(shared_data) -> None:
    """Skip with a reason when ../shared/data is absent (the fixture does it)."""


def test_the_file_has_the_rows_we_expect() -> None:
    """The table is not silently empty: 42 rows, every ICAO layout present."""
    assert len(ROWS) == 42
    assert {"TD1", "TD2", "TD3", "MRVA", "MRVB"} <= {row["type"] for row in ROWS}


@pytest.mark.parametrize("row", ROWS, ids=[_row_id(r) for r in ROWS])
def test_row_verdict_failing_checks_and_fields(row: dict) -> None:
    """The engine reproduces the row's valid, which_checks_fail and every listed field."""
    text = "\n".join(row["lines"])
    if row["type"] is None:
        with pytest.raises(MrzSyntaxError) as caught:
            parse_mrz(text)
        assert caught.value.code == "invalid_length"
        return
    mrz = parse_mrz(text)
    checks = validate_mrz(mrz, TODAY)
    failing_digits = {
        c.code.split(":", 1)[1] for c in checks if c.failed and c.code.startswith("check_digit:")
    }
    charset_ok = not any(c.failed and c.code == "charset" for c in checks)
    if row["valid"] is None:  # the French national ID: not an ICAO layout
        assert {"document_number", "birth_date", "composite"} <= failing_digits
        code_check = next(c for c in checks if c.code == "document_code")
        assert code_check.failed
        assert "French national identity card" in code_check.message
        return
    assert (not failing_digits and charset_ok) is row["valid"]
    assert failing_digits == set(row["which_checks_fail"])
    expected_type = {"MRVA": "MRV-A", "MRVB": "MRV-B"}.get(row["type"], row["type"])
    assert mrz.doc_type.value == expected_type
    differences = row.get("parse_vs_source_differences", {})
    for name, value in row["fields"].items():
        got = mrz.value(ALIASES.get(name, name))
        if name in differences:
            assert got == differences[name]["source"], name
        else:
            assert got == value, name
