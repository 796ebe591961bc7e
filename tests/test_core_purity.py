"""The pure core imports no adapter library: no OpenCV, Typer, Rich or Tesseract (STYLE 3.1)."""

from __future__ import annotations

import json
import subprocess
import sys

import screening

CORE = (
    "screening",
    "screening.model",
    "screening.errors",
    "screening.mrz.checkdigit",
    "screening.mrz.layout",
    "screening.mrz.countries",
    "screening.mrz.parse",
    "screening.mrz.validate",
    "screening.mrz.repair",
)
FORBIDDEN = ("cv2", "typer", "click", "rich", "pytesseract", "passporteye", "numpy", "PIL")


def test_importing_the_core_loads_no_adapter_library() -> None:
    """Import the core in a fresh interpreter and inspect sys.modules."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {CORE!r}: importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in {FORBIDDEN!r} if m in sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(result.stdout) == []


def test_the_public_api_is_exported() -> None:
    """`screening.parse_mrz` and friends are the documented Python API."""
    for name in (
        "parse_mrz",
        "parse_mrz_stream",
        "validate_mrz",
        "repair_mrz",
        "suggest_corrections",
        "resolved_dates",
    ):
        assert name in screening.__all__
        assert callable(getattr(screening, name))
