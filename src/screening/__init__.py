"""screening: screen travel documents at immigration checkpoints.

Read the machine-readable zone (MRZ) from MRZ text or a scan, validate it against ICAO 9303,
fuzzy-match names against watchlists of flagged recruiters and agencies, and summarise the risk.
The public Python API is re-exported here; everything else is private.
"""

from __future__ import annotations

from screening.mrz.parse import parse_mrz, parse_mrz_stream
from screening.mrz.repair import repair_mrz, suggest_corrections
from screening.mrz.validate import resolved_dates, validate_mrz
from screening.screen import (
    ReadInfo,
    Screener,
    ScreeningResult,
    ScreenOptions,
    screen,
    screen_many,
)
from screening.watchlist import load_watchlist

__version__ = "0.1.0"

__all__ = [
    "ReadInfo",
    "ScreenOptions",
    "Screener",
    "ScreeningResult",
    "__version__",
    "load_watchlist",
    "parse_mrz",
    "parse_mrz_stream",
    "repair_mrz",
    "resolved_dates",
    "screen",
    "screen_many",
    "suggest_corrections",
    "validate_mrz",
]
