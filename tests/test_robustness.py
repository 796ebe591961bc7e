"""Junk into every public Python entry point: only findings or a ScreeningError, and quickly.

The stdnum idea: one test throws the same junk at every entry point (parse_mrz,
parse_mrz_stream, validate_mrz, repair_mrz, suggest_corrections, normalize_name, the match
index, load_watchlist and the importers, load_document, Screener.screen_text/screen_source
and screen()). A fixed table of nasty inputs runs always; hypothesis adds random text and
bytes with a small example budget. Fuzz findings are kept here as regressions.
"""

# ruff: noqa: PLC0415, RUF001 - local imports of optional names; confusables are test data

from __future__ import annotations

import base64
import datetime as dt
import time
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, TODAY
from screening import (
    Screener,
    ScreenOptions,
    load_watchlist,
    parse_mrz,
    parse_mrz_stream,
    repair_mrz,
    screen,
    suggest_corrections,
    validate_mrz,
)
from screening.errors import ImageUnreadable, ScreeningError
from screening.images import Limits, load_document
from screening.importers import import_ftm, import_ofac, import_un
from screening.matching import MatchIndex
from screening.model import EntityKind
from screening.names import normalize_name

TD3 = (ROOT / "samples" / "mrz" / "td3_valid.txt").read_text(encoding="utf-8").split()
LISTS = (ROOT / "watchlists" / "recruiters.csv", ROOT / "watchlists" / "agencies.csv")
SLOW_S = 2.0  # generous: a catastrophic regex or a decode takes far longer

JUNK_TEXT = (
    "",
    " ",
    "\x00" * 100,
    "<" * 10_000,
    "A" * 10_000 + "!",
    "\r\n" * 5000,
    "\u202e\u200b\ufeff" * 100,
    "P<UTO" + "K" * 39 + "\n" + TD3[1],
    TD3[0] + "\n" + TD3[1][:-1] + "\u0660",
    TD3[0] + "\n" + "9" * 44,
    TD3[0] + "\n" + "<" * 44,
    "\n".join([TD3[0], TD3[1]] * 3000),
    "I<UTO" + "<" * 25 + "\n" + "0" * 30 + "\n" + "<" * 30,
    "[bold red]x[/]\x1b[2J\x1b]0;t\x07",
    "\ud800",
    "ＰＴ ＭＡＪＵ",
    '=HYPERLINK("x")',
)
JUNK_BYTES = (
    b"",
    b"\xff\xd8\xff",
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 20,
    b"II*\x00" + b"\xff" * 8,
    b"MM\x00*\x00\x00\x00\x08" + b"\x00" * 4,
    b"BM" + b"\x00" * 30,
    b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    b"%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>",
    b"%PDF-" + b"\x00" * 2000,
    b"\xef\xbb\xbfid,kind,name\n1,person,A\n",
    b"\xff\xfei\x00d\x00",
    b"id,kind,name\n" + b'"' * 5000,
    b'{"id": 1, "names": [[[[[]]]]]}\n',
    b"[" * 10_000,
    b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;</x>",
    b"\x1a" * 10,
)
# atheris finding (fuzz/fuzz_images.py): a PDF whose page object pdfium cannot load raised a
# bare PdfiumError from load_document.
PDF_PAGE_NOT_LOADABLE = zlib.decompress(
    base64.b64decode(
        "eNrtVEtvUkEYncv7DhBLbbQlVIZapE0qc188qthFobRUkxJAW2tcXLgDvQ3lknsHWpq4qW+XPn+Jexf+AXcmJo0/wX+AA2nFtBtdmnhmd875znwzyfdFi7n8dTGuwCiqmUSlREPVHirqzaaxj5iGNFPvEhPKSEBGdTeTgbjSaxOEsypVm0YD4qLaIBZSmF6CS0ukpTEbVM7ahy6Is0anRZEI8W1ds9ADJA7K0MNRYeJs4dZGdZfUKMTlTpUOmcIey4J4U9foDlLSEK8RvbFDkSxBnNeblJgI57KVHKkZGvMt69QqEjNr7LWNFmG3pwdtNA2z3FZrLO4m6eo1UlpdhvgOaTVYZjKlsIYsyv5jD/a/9r+DsfV8IQ84DgCOHdD/BrLA43K5XU6P2+3meQ/0Tfh9Xq9vavzihYnpYPjKdDAUQrPxGJpZuBoKzaXmFwRRUZRwbPFWWsrEZUUahHA8z/u8vkm/f1KKhCLSX6P/CQQ8AAHBzs0AW4CzB7j+ZxBmfTq5IcAJOJvd4XS5PTz0MsPHMWDj7Habw+50OhxMfcR04Ag4xyNiNreSX10rrJcrd+9tbt3frmmk3tjRdy3a6e4f9A6PHj95+uz5i5evXr95++79h/5//OuYy92QBCkpilJalBMM2/OjgTwwSR0KKAWFX0DJREJOojo65RbTbI6HSuuUE0XlHCcIijDivvyYlavmEQ8vXZ6cCkavxUY+Ninn8iT5N46aqt5kW2mwJkqGwWZ/uH7AnwCX9UPC3oMLrbqBkid7C1pUNY/p8LWiLCZhNLqykf8JiSeHKA=="
    )
)


def _quick(call, *args, **kwargs):
    started = time.perf_counter()
    try:
        return call(*args, **kwargs)
    except ScreeningError:
        return None
    finally:
        assert time.perf_counter() - started < SLOW_S, call.__name__


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener(ScreenOptions(today=TODAY, watchlists=LISTS))


@pytest.fixture(scope="module")
def index() -> MatchIndex:
    return MatchIndex(tuple(load_watchlist(p) for p in LISTS))


def _mrz_text_entry_points(text: str, screener: Screener, index: MatchIndex) -> None:
    mrz = _quick(parse_mrz, text)
    if mrz is not None:
        assert validate_mrz(mrz, TODAY)
        suggest_corrections(mrz)
        validate_mrz(repair_mrz(mrz), TODAY)
    for item in _quick(parse_mrz_stream, text):
        assert isinstance(item, ScreeningError) or validate_mrz(item, TODAY)
    for kind in (None, EntityKind.PERSON, EntityKind.ORGANIZATION):
        _quick(normalize_name, text[:5000], kind)
        _quick(index.search, text[:2000], kind=kind)
    results = _quick(screener.screen_text, text)
    assert results, "screen_text always gives at least one result"
    for result in results:
        assert result.verdict is not None


@pytest.mark.parametrize("text", JUNK_TEXT, ids=range(len(JUNK_TEXT)))
def test_junk_text_gives_findings_or_screening_errors(text, screener, index) -> None:
    """Every text entry point returns findings or raises a ScreeningError, within 2 s."""
    _mrz_text_entry_points(text, screener, index)


def _file_entry_points(path: Path, screener: Screener) -> None:
    for role_kwargs in ({}, {"allow_partial": True}, {"encoding": "latin-1"}):
        _quick(load_watchlist, path, **role_kwargs)
    for importer in (import_un, import_ftm, import_ofac):
        _quick(importer, path)
    _quick(load_document, path, Limits(max_pixels=1_000_000, max_pages=2, max_bytes=1 << 20))
    results = _quick(screener.screen_source, str(path))
    assert results
    assert all(r.error_code or r.mrz for r in results)
    result = _quick(screen, path, today=TODAY, watchlists=LISTS)
    assert result is not None


@pytest.mark.parametrize("data", JUNK_BYTES, ids=range(len(JUNK_BYTES)))
def test_junk_files_give_findings_or_screening_errors(data, tmp_path, screener) -> None:
    """Every file entry point (lists, importers, images, screening) copes with junk bytes."""
    for suffix in (".csv", ".json", ".xml", ".jpg"):
        path = tmp_path / f"junk{suffix}"
        path.write_bytes(data)
        _file_entry_points(path, screener)


def test_pdf_page_that_cannot_be_loaded_is_corrupt(tmp_path) -> None:
    """Fuzz regression: an unloadable PDF page is corrupt_image, not a PdfiumError."""
    path = tmp_path / "page.pdf"
    path.write_bytes(PDF_PAGE_NOT_LOADABLE)
    with pytest.raises(ImageUnreadable) as caught:
        load_document(path)
    assert caught.value.code == "corrupt_image"


_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.property
@_SETTINGS
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_random_text_property(text, screener, index) -> None:
    """Random Unicode text into every text entry point: findings or ScreeningError."""
    _mrz_text_entry_points(text, screener, index)


@pytest.mark.property
@_SETTINGS
@given(
    lines=st.lists(
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<K ", min_size=28, max_size=46),
        min_size=1,
        max_size=4,
    )
)
def test_random_mrz_shaped_text_property(lines, screener, index) -> None:
    """MRZ-shaped lines (right alphabet, near-right lengths) reach deep into the parser."""
    _mrz_text_entry_points("\n".join(lines), screener, index)


@pytest.mark.property
@_SETTINGS
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".jsonl", ".xml", ".jpg"]))
def test_random_bytes_property(data, suffix, tmp_path_factory, screener) -> None:
    """Random bytes as list, import and scan files: findings or ScreeningError."""
    path = tmp_path_factory.mktemp("junk") / f"junk{suffix}"
    path.write_bytes(data)
    _file_entry_points(path, screener)


def test_the_public_api_is_covered() -> None:
    """Every callable in screening.__all__ is exercised by this module (or is a type)."""
    import screening

    covered = {
        "load_watchlist",
        "parse_mrz",
        "parse_mrz_stream",
        "repair_mrz",
        "screen",
        "suggest_corrections",
        "validate_mrz",
        "resolved_dates",
        "screen_many",
    }
    types = {"ReadInfo", "ScreenOptions", "Screener", "ScreeningResult", "__version__"}
    assert set(screening.__all__) <= covered | types, set(screening.__all__) - covered - types


def test_resolved_dates_and_screen_many_cope_with_junk(tmp_path) -> None:
    """resolved_dates on a parsed junk-date MRZ and screen_many over junk paths never raise."""
    from screening import resolved_dates, screen_many

    mrz = parse_mrz(TD3[0] + "\n" + TD3[1][:13] + "999999" + TD3[1][19:])
    assert isinstance(resolved_dates(mrz, dt.date(2026, 11, 28)), dict)
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"\xff\xd8\xff\x00")
    results = list(
        screen_many([junk, tmp_path / "missing", tmp_path], today=TODAY, watchlists=LISTS)
    )
    assert [r.error_code for r in results] == [
        "corrupt_image",
        "file_not_found",
        "not_regular_file",
    ]
