"""Load and validate watchlists and allowlists: a list file becomes a `Watchlist`, or an error.

This adapter owns the native list formats (CSV with a header, JSON lines, a JSON array) and the
entity-per-line JSON of `../shared/data/names/watchlist.jsonl`, which it accepts as is. It
collects every bad row as a `RowProblem` (1-based line, column, message) instead of stopping at
the first, and fails closed: unless `allow_partial=True`, any problem raises `WatchlistError`, so
nobody screens against a partially loaded list. It also records provenance (`ListInfo`: entry
count, SHA-256 of the file bytes, age, staleness). Messages never quote list content (names,
dates of birth and document numbers are personal data): they cite line, column and field only.
It never prints. The format is documented in `watchlists/README.md`.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import json
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from screening.errors import WatchlistError
from screening.model import EntityKind, ListInfo, ListRole, RowProblem, Watchlist, WatchlistEntry

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = [
    "DEFAULT_MAX_AGE_DAYS",
    "DEFAULT_MAX_FIELD_BYTES",
    "MAX_FILE_BYTES",
    "MULTI_VALUE_SEPARATOR",
    "NATIVE_COLUMNS",
    "REQUIRED_COLUMNS",
    "dump_jsonl",
    "entry_to_json",
    "load_watchlist",
    "nationality_code",
    "normalise_dates",
]

#: Columns of the native CSV format, in the order `dump` writes them.
NATIVE_COLUMNS: tuple[str, ...] = (
    "id",
    "kind",
    "name",
    "aliases",
    "weak_aliases",
    "reason",
    "source",
    "listed_on",
    "dob",
    "nationality",
    "document_numbers",
    "registration_numbers",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("id", "kind", "name")
_MULTI_VALUED = frozenset(
    {
        "aliases",
        "weak_aliases",
        "dob",
        "nationality",
        "document_numbers",
        "registration_numbers",
    }
)
#: Separates the values of a multi-valued CSV cell. A pipe, because names, company names and
#: OFAC's date lists ("1965;1966") contain commas and semicolons but never pipes.
MULTI_VALUE_SEPARATOR = "|"
#: Columns or keys starting with this prefix are the user's own and ignored; any other unknown
#: column is an error, because a misspelt `alias` column would silently drop aliases.
_EXTRA_PREFIX = "x_"
DEFAULT_MAX_AGE_DAYS = 365.0
DEFAULT_MAX_FIELD_BYTES = 65536
#: Larger files are refused before reading (the whole file is hashed and parsed in memory).
MAX_FILE_BYTES = 512 * 1024 * 1024

_KIND_WORDS: dict[str, EntityKind] = {
    "person": EntityKind.PERSON,
    "individual": EntityKind.PERSON,
    "recruiter": EntityKind.PERSON,
    "organization": EntityKind.ORGANIZATION,
    "organisation": EntityKind.ORGANIZATION,
    "company": EntityKind.ORGANIZATION,
    "entity": EntityKind.ORGANIZATION,
    "agency": EntityKind.ORGANIZATION,
}
# Name types of the entity-per-line JSON. Unknown types are kept as ordinary aliases: dropping a
# name would hide a possible match, which is the worse failure for a watchlist.
_PRIMARY_TYPES = frozenset({"primary", "name"})
_WEAK_TYPES = frozenset({"alias_low", "weak_aka", "weak"})
_ENTITY_KEYS = frozenset(
    {"id", "list", "kind", "names", "programs", "dob", "nationality", "reference", "listed_on"}
)
_BOMS_UTF16 = (b"\xff\xfe", b"\xfe\xff")
_GENERATED = re.compile(r"^#\s*generated\s*:\s*(?P<when>.*?)\s*$", re.IGNORECASE)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_DATE_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_DATE_DMY = re.compile(r"^(?:(\d{1,2})\s+)?([A-Za-z]{3})[a-z]*\.?\s+(\d{4})$")
_DATE_CIRCA = re.compile(r"^(?:circa|ca\.?|about|approx\.?)\s+(.+)$", re.IGNORECASE)
_DATE_RANGE = re.compile(r"^(.+?)\s+(?:to|-)\s+(.+)$|^(\d{4})\s*-\s*(\d{4})$", re.IGNORECASE)
_MAX_RANGE_YEARS = 30


@dataclass(slots=True)
class _Collector:
    """Mutable state of one load: problems found and entries accepted so far."""

    path: str
    max_field_bytes: int
    problems: list[RowProblem] = field(default_factory=list)
    entries: list[WatchlistEntry] = field(default_factory=list)
    id_lines: dict[str, int] = field(default_factory=dict)
    bad_lines: set[int] = field(default_factory=set)
    generated: dt.datetime | None = None

    def problem(self, line: int, column: str, message: str) -> None:
        self.problems.append(RowProblem(self.path, line, column, message))

    def claim_id(self, ident: str, line: int) -> None:
        """Record where an id is first used; a second use is a problem citing both lines."""
        first = self.id_lines.setdefault(ident, line)
        if first != line:
            self.problem(line, "id", f"duplicate id: the same id is already used on line {first}")


def load_watchlist(
    path: Path,
    *,
    role: ListRole = ListRole.WATCHLIST,
    name: str | None = None,
    encoding: str = "utf-8",
    max_age_days: float | None = DEFAULT_MAX_AGE_DAYS,
    now: dt.datetime | None = None,
    max_field_bytes: int = DEFAULT_MAX_FIELD_BYTES,
    allow_partial: bool = False,
) -> Watchlist:
    """Load a list file (CSV, JSON lines, JSON array or entity-per-line JSON) and validate it.

    Every bad row is collected as a `RowProblem`. With problems and `allow_partial=False` (the
    default) this raises `WatchlistError(code="watchlist_invalid")`: a partially loaded list must
    not be screened against. With `allow_partial=True` the good rows are returned and the
    problems are in `info.problems` (for `screening watchlist check`). A missing, unreadable or
    oversized file raises `WatchlistError(code="watchlist_unreadable")`. An empty list loads
    with 0 entries; the risk policy reports such a list as not checked, never as clear.

    The age is measured from a `# generated: YYYY-MM-DD` comment line at the top of the file
    when there is one (importers write it from the source's own date), else from the file's
    modification time; the list is `stale` when older than `max_age_days` (None: never).
    """
    path = Path(path)
    data, mtime = _read_bytes(path)
    collector = _Collector(str(path), max_field_bytes)
    text = _decode(data, encoding, collector)
    _parse(text, collector)

    moment = now if now is not None else dt.datetime.now(tz=dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    listed = collector.generated or dt.datetime.fromtimestamp(mtime, tz=dt.UTC)
    age_days = (moment - listed).total_seconds() / 86400
    stale = max_age_days is not None and age_days > max_age_days

    problems = tuple(sorted(collector.problems, key=lambda p: p.line))
    if problems and not allow_partial:
        first = problems[0]
        noun = "problem" if len(problems) == 1 else "problems"
        raise WatchlistError(
            f"The list {path} has {len(problems)} {noun} (first at line {first.line}: "
            f"{first.message}); refusing to screen against a partially loaded list. Run "
            f"`screening watchlist check {path}` to see every problem.",
            code="watchlist_invalid",
            path=str(path),
            line=first.line,
            problems=tuple(_format_problem(p) for p in problems),
        )
    info = ListInfo(
        name=name or path.stem,
        path=str(path),
        role=role,
        entries=len(collector.entries),
        sha256=hashlib.sha256(data).hexdigest(),
        age_days=age_days,
        stale=stale,
        problems=problems,
    )
    return Watchlist(info=info, entries=tuple(collector.entries))


def _format_problem(problem: RowProblem) -> str:
    where = f"{problem.path}:{problem.line}"
    return (
        f"{where}: {problem.column}: {problem.message}"
        if problem.column
        else (f"{where}: {problem.message}")
    )


# --- reading and decoding ------------------------------------------------------------------


def _read_bytes(path: Path) -> tuple[bytes, float]:
    """The file's bytes and mtime; anything that is not a readable regular file is an error."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise WatchlistError(
            f"The list file {path} does not exist; check the path.",
            code="watchlist_unreadable",
            path=str(path),
        ) from None
    except OSError as error:
        raise WatchlistError(
            f"The list file {path} cannot be read ({error.strerror}).",
            code="watchlist_unreadable",
            path=str(path),
        ) from None
    # Refuse FIFOs and devices before opening: open() on a FIFO blocks forever.
    if not stat.S_ISREG(info.st_mode):
        raise WatchlistError(
            f"The list path {path} is not a regular file.",
            code="watchlist_unreadable",
            path=str(path),
        )
    if info.st_size > MAX_FILE_BYTES:
        raise WatchlistError(
            f"The list file {path} is {info.st_size} bytes, more than the limit of "
            f"{MAX_FILE_BYTES}; split the list.",
            code="watchlist_unreadable",
            path=str(path),
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise WatchlistError(
            f"The list file {path} cannot be read ({error.strerror}).",
            code="watchlist_unreadable",
            path=str(path),
        ) from None
    return data, info.st_mtime


def _is_utf8(encoding: str) -> bool:
    return encoding.lower().replace("_", "-") in {"utf-8", "utf8", "utf-8-sig", "utf8-sig"}


def _decode(data: bytes, encoding: str, out: _Collector) -> str:
    """Decode strictly, reporting every undecodable line as line + byte offset; BOMs are fine."""
    if _is_utf8(encoding):
        if data.startswith(_BOMS_UTF16):
            out.problem(
                1,
                "byte 1",
                "the file starts with a UTF-16 byte order mark, not UTF-8; load it with "
                "encoding utf-16 (--encoding utf-16) or convert it to UTF-8",
            )
            out.bad_lines.add(1)
            return ""
        body = data.removeprefix(b"\xef\xbb\xbf")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_lines_utf8(body, out, start=len(data) - len(body))
    else:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise WatchlistError(
                f"Unknown text encoding {encoding!r} for the list {out.path}; use e.g. "
                "utf-8, latin-1 or utf-16.",
                code="watchlist_invalid",
                path=out.path,
            ) from None
        except UnicodeDecodeError as error:
            line = data[: error.start].decode(encoding, errors="replace").count("\n") + 1
            out.problem(
                line,
                f"byte offset {error.start}",
                f"cannot decode byte 0x{data[error.start]:02X} at byte offset {error.start} "
                f"of the file as {encoding}",
            )
            out.bad_lines.add(line)
            text = data.decode(encoding, errors="replace")
        text = text.removeprefix("\ufeff")
    for number, line_text in enumerate(text.split("\n"), 1):
        if "\x00" in line_text:
            out.problem(
                number,
                f"char {line_text.index(chr(0)) + 1}",
                "the line contains NUL characters; the file may be UTF-16: load it with "
                "encoding utf-16 (--encoding utf-16) or convert it to UTF-8",
            )
            out.bad_lines.add(number)
    return text


def _decode_lines_utf8(data: bytes, out: _Collector, *, start: int) -> str:
    """Decode line by line so that every bad line is reported with its byte offsets.

    `start` is where `data` begins in the file (3 after a UTF-8 byte order mark).
    """
    parts: list[str] = []
    offset = start
    for number, raw in enumerate(data.split(b"\n"), 1):
        try:
            parts.append(raw.decode("utf-8"))
        except UnicodeDecodeError as error:
            out.problem(
                number,
                f"byte {error.start + 1}",
                f"invalid UTF-8 byte 0x{raw[error.start]:02X} at byte {error.start + 1} of the "
                f"line (byte offset {offset + error.start} of the file); the file may be "
                "Latin-1 or Windows-1252: convert it to UTF-8 or load it with --encoding latin-1",
            )
            out.bad_lines.add(number)
            parts.append(raw.decode("utf-8", errors="replace"))
        offset += len(raw) + 1
    return "\n".join(parts)


# --- parsing -----------------------------------------------------------------------------


def _parse(text: str, out: _Collector) -> None:
    """Read leading comments, then dispatch on content: `[` JSON array, `{` JSON lines, else CSV."""
    # Split on "\n" only (not str.splitlines, which also splits on U+2028, form feeds and
    # others) so that line numbers agree with `wc -l`, editors and the byte-level decoder.
    lines = [line + "\n" for line in text.split("\n")]
    if lines and lines[-1] == "\n":
        lines.pop()
    start = 0
    while start < len(lines):
        stripped = lines[start].strip()
        if stripped and not stripped.startswith("#"):
            break
        match = _GENERATED.match(stripped)
        if match:
            out.generated = _parse_generated(match.group("when"))
            if out.generated is None:
                out.problem(
                    start + 1, "generated", "the `# generated:` date is not an ISO 8601 date"
                )
        start += 1
    if start == len(lines):
        return  # empty list (only comments or nothing): loads with 0 entries
    first = lines[start].lstrip()
    if first.startswith("["):
        _parse_json_array(text, out)
    elif first.startswith("{"):
        _parse_json_lines(lines, out)
    else:
        _parse_csv(lines, start, out)


def _parse_generated(value: str) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _safe_label(text: str) -> str:
    """A header as it may be shown: control characters removed, at most 40 characters."""
    clean = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    return clean if len(clean) <= 40 else clean[:37] + "..."


def _parse_csv(lines: list[str], start: int, out: _Collector) -> None:
    previous_limit = csv.field_size_limit()
    # Sizes are checked per field below; the csv module's own limit (131072 by default) would
    # otherwise raise a bare csv.Error. The whole file is in memory anyway (MAX_FILE_BYTES).
    csv.field_size_limit(max(previous_limit, MAX_FILE_BYTES))
    try:
        _parse_csv_rows(lines, start, out)
    finally:
        csv.field_size_limit(previous_limit)


def _parse_csv_rows(lines: list[str], start: int, out: _Collector) -> None:
    reader = csv.reader(iter(lines[start:]), strict=False)
    header_line = start + 1
    try:
        header_row = next(reader)
    except csv.Error as error:
        out.problem(header_line, "", f"the header line is not valid CSV ({error})")
        return
    if header_line in out.bad_lines:
        return  # the header is undecodable (already reported): no column can be trusted
    header = [h.strip().lower().removeprefix("\ufeff") for h in header_row]
    if not _check_header(header, header_line, out):
        return
    previous_end = header_line
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            out.problem(previous_end + 1, "", f"the row is not valid CSV ({error})")
            return
        line = previous_end + 1
        previous_end = start + reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line
        if any(n in out.bad_lines for n in range(line, previous_end + 1)):
            continue  # already reported (encoding)
        if len(row) != len(header):
            out.problem(
                line,
                "",
                f"the row has {len(row)} values but the header has {len(header)} columns",
            )
            continue
        stray = [i for i, h in enumerate(header) if not h and row[i].strip()]
        if stray:
            out.problem(
                line, f"column {stray[0] + 1}", "a value in a column that has no header name"
            )
            continue
        record = {h: cell for h, cell in zip(header, row, strict=True) if h}
        values: dict[str, Any] = {}
        for key, value in record.items():
            if key.startswith(_EXTRA_PREFIX):
                continue
            values[key] = _split_multi(value) if key in _MULTI_VALUED else value.strip()
        # Fast path: a row of at most max_field_bytes (4 bytes per character at most) cannot
        # hold an oversized field, so the per-field size check is skipped.
        small = 4 * sum(len(cell) for cell in row) <= out.max_field_bytes
        _accept_native(values, line, out, raw_sizes=None if small else record)


def _check_header(header: list[str], line: int, out: _Collector) -> bool:
    known = set(NATIVE_COLUMNS)
    expected = ", ".join(NATIVE_COLUMNS)
    if not any(h in known for h in header):
        out.problem(
            line,
            "",
            f"the first line has {len(header)} columns and none is a known column name: the "
            f"file seems to have no header line; expected columns: {expected}",
        )
        return False
    ok = True
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        found = ", ".join(_safe_label(h) for h in header)
        out.problem(
            line,
            ", ".join(missing),
            f"missing required column(s) {', '.join(missing)}; expected columns: {expected} "
            f"(required: {', '.join(REQUIRED_COLUMNS)}); found: {found}",
        )
        ok = False
    seen: set[str] = set()
    for column in header:
        if not column:
            continue  # spreadsheets add trailing empty columns; their cells must stay empty
        if column in seen:
            out.problem(line, _safe_label(column), "the column appears twice in the header")
            ok = False
        seen.add(column)
        if column not in known and not column.startswith(_EXTRA_PREFIX):
            out.problem(
                line,
                _safe_label(column),
                f"unknown column; expected columns: {expected} (extra columns of your own "
                f"must start with {_EXTRA_PREFIX})",
            )
            ok = False
    return ok


def _split_multi(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(MULTI_VALUE_SEPARATOR) if v.strip())


def _parse_json_lines(lines: list[str], out: _Collector) -> None:
    for number, raw in enumerate(lines, 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#") or number in out.bad_lines:
            continue
        size = len(stripped.encode("utf-8"))
        if size > out.max_field_bytes * 16:
            out.problem(number, "", f"the line is {size} bytes, too long for one entry")
            continue
        try:
            obj = json.loads(stripped)
        except json.JSONDecodeError as error:
            out.problem(number, f"char {error.colno}", f"malformed JSON: {error.msg}")
            continue
        except RecursionError:
            out.problem(number, "", "malformed JSON: nested too deeply")
            continue
        # A decoded JSON string never has more UTF-8 bytes than its encoded line.
        _accept_object(obj, number, out, small=size <= out.max_field_bytes)


def _parse_json_array(text: str, out: _Collector) -> None:
    """A JSON array of entry objects; each element is reported by the line it starts on."""
    if out.bad_lines:
        return  # undecodable lines (already reported) make the array's structure unreliable
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        out.problem(error.lineno, f"char {error.colno}", f"malformed JSON: {error.msg}")
        return
    except RecursionError:
        out.problem(1, "", "malformed JSON: nested too deeply")
        return
    if not isinstance(items, list):
        out.problem(1, "", "a JSON list file must be an array of objects")
        return
    for line, obj in zip(_array_element_lines(text), items, strict=False):
        _accept_object(obj, line, out)


def _array_element_lines(text: str) -> Iterator[int]:
    """Start line of each top-level array element, found by re-decoding one element at a time."""
    decoder = json.JSONDecoder()
    pos = text.index("[") + 1
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            return
        yield text.count("\n", 0, pos) + 1
        _, pos = decoder.raw_decode(text, pos)


def _accept_object(obj: object, line: int, out: _Collector, *, small: bool = False) -> None:
    if not isinstance(obj, dict):
        out.problem(line, "", "the line is not a JSON object")
        return
    if "names" in obj:
        _accept_entity(obj, line, out, small=small)
        return
    values: dict[str, Any] = {}
    for key, value in obj.items():
        if not isinstance(key, str) or key.startswith(_EXTRA_PREFIX):
            continue
        if key not in NATIVE_COLUMNS:
            out.problem(
                line,
                _safe_label(key),
                f"unknown key; expected keys: {', '.join(NATIVE_COLUMNS)} (keys of your own "
                f"must start with {_EXTRA_PREFIX})",
            )
            return
        values[key] = value
    missing = [c for c in REQUIRED_COLUMNS if c not in values]
    if missing:
        out.problem(line, ", ".join(missing), f"missing required key(s) {', '.join(missing)}")
        return
    _accept_native(values, line, out, raw_sizes=None if small else values)


# --- row validation ----------------------------------------------------------------------


def _text(value: object, column: str, line: int, out: _Collector) -> str | None:
    """A single text value (numbers are accepted for ids and numbers), or None after a problem."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        out.problem(line, column, "expected a text value")
        return None
    return str(value).strip()


def _texts(value: object, column: str, line: int, out: _Collector) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if isinstance(value, tuple):
        return value
    if isinstance(value, str):
        return _split_multi(value)
    if isinstance(value, list):
        items: list[str] = []
        for item in value:
            text = _text(item, column, line, out)
            if text is None:
                return None
            if text:
                items.append(text)
        return tuple(items)
    out.problem(line, column, "expected a list of text values")
    return None


def _too_big(value: object, column: str, line: int, out: _Collector) -> bool:
    items = value if isinstance(value, list | tuple) else [value]
    size = sum(len(str(v).encode("utf-8")) for v in items if v is not None)
    if size > out.max_field_bytes:
        out.problem(
            line,
            column,
            f"the field is {size} bytes, more than the limit of {out.max_field_bytes} bytes",
        )
        return True
    return False


def _kind(value: str, line: int, out: _Collector) -> EntityKind | None:
    kind = _KIND_WORDS.get(value.strip().lower())
    if kind is None:
        out.problem(
            line,
            "kind",
            "unknown kind; use person or organization"
            + ("" if value.strip() else " (the cell is empty)"),
        )
    return kind


def _accept_native(
    values: dict[str, Any],
    line: int,
    out: _Collector,
    *,
    raw_sizes: dict[str, Any] | None = None,
) -> None:
    """Validate one native row and accept it, collecting every problem.

    `raw_sizes` are the values whose sizes to check (None: the caller knows they are small).
    """
    before = len(out.problems)
    for column, value in (raw_sizes or {}).items():
        _too_big(value, column, line, out)
    if len(out.problems) > before:
        return
    ident = _text(values.get("id"), "id", line, out)
    name = _text(values.get("name"), "name", line, out)
    kind_text = _text(values.get("kind"), "kind", line, out)
    reason = _text(values.get("reason"), "reason", line, out)
    source = _text(values.get("source"), "source", line, out)
    listed_on = _text(values.get("listed_on"), "listed_on", line, out)
    multi = {c: _texts(values.get(c), c, line, out) for c in sorted(_MULTI_VALUED)}
    if ident == "":
        out.problem(line, "id", "the id is empty")
    elif ident is not None:
        out.claim_id(ident, line)
    if name == "":
        out.problem(line, "name", "the name is empty")
    kind = _kind(kind_text, line, out) if kind_text is not None else None
    if listed_on and _parse_iso_date(listed_on) is None:
        out.problem(line, "listed_on", "not an ISO date (YYYY-MM-DD)")
    dobs: list[str] = []
    for value in multi["dob"] or ():
        parsed = normalise_dates(value)
        if not parsed:
            out.problem(line, "dob", "not a date (use YYYY-MM-DD, YYYY-MM or YYYY)")
        dobs.extend(parsed)
    nationality: list[str] = []
    for value in multi["nationality"] or ():
        code = nationality_code(value)
        if code is None:
            out.problem(line, "nationality", "unknown country; use ICAO 9303 codes such as IDN")
        else:
            nationality.append(code)
    if len(out.problems) > before or kind is None:
        return
    assert ident is not None  # noqa: S101 - narrowed: a None would have recorded a problem
    assert name is not None  # noqa: S101
    aliases = _unique(multi["aliases"] or (), exclude=name)
    strong = {a.casefold() for a in aliases}
    out.entries.append(
        WatchlistEntry(
            id=ident,
            kind=kind,
            name=name,
            aliases=aliases,
            weak_aliases=_unique(
                (w for w in multi["weak_aliases"] or () if w.casefold() not in strong),
                exclude=name,
            ),
            reason=reason or "",
            source=source or "",
            listed_on=listed_on or "",
            dob=tuple(dict.fromkeys(dobs)),
            nationality=tuple(dict.fromkeys(nationality)),
            document_numbers=multi["document_numbers"] or (),
            registration_numbers=multi["registration_numbers"] or (),
        )
    )


def _accept_entity(obj: dict[str, Any], line: int, out: _Collector, *, small: bool) -> None:
    """The entity-per-line JSON of watchlist.jsonl: `names: [{name, type}]` → name + aliases."""
    before = len(out.problems)
    for key, value in () if small else obj.items():
        _too_big(value, str(key), line, out)
    if len(out.problems) > before:
        return
    ident = _text(obj.get("id"), "id", line, out)
    if ident == "":
        out.problem(line, "id", "the id is empty")
    elif ident is not None:
        out.claim_id(ident, line)
    kind_text = _text(obj.get("kind"), "kind", line, out)
    kind = _kind(kind_text, line, out) if kind_text is not None else None
    names = obj.get("names")
    primary: list[str] = []
    aliases: list[str] = []
    weak: list[str] = []
    if not isinstance(names, list):
        out.problem(line, "names", "expected a list of {name, type} objects")
    else:
        for item in names:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                out.problem(line, "names", "expected a list of {name, type} objects")
                break
            text = item["name"].strip()
            kind_of_name = str(item.get("type") or "").lower()
            if not text:
                continue
            if kind_of_name in _PRIMARY_TYPES:
                primary.append(text)
            elif kind_of_name in _WEAK_TYPES:
                weak.append(text)
            else:
                aliases.append(text)  # aka, fka, nka, alias_good, original_script, unknown
    if not primary and aliases:
        primary.append(aliases.pop(0))
    if not primary and len(out.problems) == before:
        out.problem(line, "names", "the entry has no name")
    programs = obj.get("programs")
    reason = (
        "; ".join(str(p) for p in programs) if isinstance(programs, list) else str(programs or "")
    )
    dob_raw = obj.get("dob")
    dobs: list[str] = []
    for part in _texts(dob_raw, "dob", line, out) or ():
        for piece in part.split(";"):
            dobs.extend(normalise_dates(piece) or ((piece.strip(),) if piece.strip() else ()))
    # Accepted as is: known country names become codes, unknown ones are kept as written.
    nationality = tuple(
        dict.fromkeys(
            nationality_code(v) or v
            for v in _texts(obj.get("nationality"), "nationality", line, out) or ()
        )
    )
    listed_on = _text(obj.get("listed_on"), "listed_on", line, out)
    if len(out.problems) > before or kind is None or ident is None:
        return
    name = primary[0]
    out.entries.append(
        WatchlistEntry(
            id=ident,
            kind=kind,
            name=name,
            aliases=_unique((*primary[1:], *aliases), exclude=name),
            weak_aliases=_unique(
                (w for w in weak if w.casefold() not in {a.casefold() for a in aliases}),
                exclude=name,
            ),
            reason=reason,
            source=str(obj.get("list") or ""),
            listed_on=listed_on or "",
            dob=tuple(dict.fromkeys(dobs)),
            nationality=tuple(nationality),
        )
    )


def _unique(values: Iterable[str], *, exclude: str) -> tuple[str, ...]:
    """Values in order without repeats, ignoring case; `exclude` (the primary name) dropped."""
    seen = {exclude.casefold()}
    kept: list[str] = []
    for value in values:
        if value.casefold() not in seen:
            seen.add(value.casefold())
            kept.append(value)
    return tuple(kept)


# --- dates -------------------------------------------------------------------------------


def _parse_iso_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _one_date(text: str) -> str | None:
    """`1970-01-31`, `1970-01`, `1970`, `31 Jan 1970`, `Jan 1970` → ISO text, else None."""
    text = text.strip()
    iso = _DATE_ISO.match(text)
    if iso:
        year, month, day = iso.groups()
        if month is None:
            return year
        try:
            dt.date(int(year), int(month), int(day or 1))
        except ValueError:
            return None
        return text
    dmy = _DATE_DMY.match(text)
    if dmy:
        day, month_word, year = dmy.groups()
        month = _MONTHS.get(month_word.lower())
        if month is None:
            return None
        try:
            dt.date(int(year), month, int(day or 1))
        except ValueError:
            return None
        return f"{year}-{month:02d}-{int(day):02d}" if day else f"{year}-{month:02d}"
    return None


def normalise_dates(text: str) -> tuple[str, ...]:
    """A date of birth as lists write it → ISO text values (`()` if it is not a date).

    Handles ISO dates, years and year-months, OFAC's `10 Dec 1948` and `Dec 1948`, `circa 1963`
    (→ the year) and ranges such as `1965 to 1967` or `01 Jan 1960 to 31 Dec 1962` (→ every
    year, at most 30); matchers compare dates by their shared precision.
    """
    text = text.strip()
    circa = _DATE_CIRCA.match(text)
    if circa:
        text = circa.group(1)
    single = _one_date(text)
    if single is not None:
        return (single,)
    span = _DATE_RANGE.match(text)
    if span:
        low_text, high_text = span.group(1) or span.group(3), span.group(2) or span.group(4)
        low, high = _one_date(low_text), _one_date(high_text)
        if low is not None and high is not None:
            first, last = int(low[:4]), int(high[:4])
            if first <= last < first + _MAX_RANGE_YEARS:
                return tuple(str(year) for year in range(first, last + 1))
    return ()


# --- nationality ---------------------------------------------------------------------------

# ISO 3166-1 alpha-2 → alpha-3 pairs ("AWABW" = AW → ABW), generated once from Debian's
# iso-codes; FollowTheMoney and many spreadsheets use alpha-2, the MRZ uses alpha-3.
_ALPHA2_PAIRS = (
    "AWABW AFAFG AOAGO AIAIA AXALA ALALB ADAND AEARE ARARG AMARM ASASM AQATA TFATF AGATG "
    "AUAUS ATAUT AZAZE BIBDI BEBEL BJBEN BQBES BFBFA BDBGD BGBGR BHBHR BSBHS BABIH BLBLM "
    "BYBLR BZBLZ BMBMU BOBOL BRBRA BBBRB BNBRN BTBTN BVBVT BWBWA CFCAF CACAN CCCCK CHCHE "
    "CLCHL CNCHN CICIV CMCMR CDCOD CGCOG CKCOK COCOL KMCOM CVCPV CRCRI CUCUB CWCUW CXCXR "
    "KYCYM CYCYP CZCZE DEDEU DJDJI DMDMA DKDNK DODOM DZDZA ECECU EGEGY ERERI EHESH ESESP "
    "EEEST ETETH FIFIN FJFJI FKFLK FRFRA FOFRO FMFSM GAGAB GBGBR GEGEO GGGGY GHGHA GIGIB "
    "GNGIN GPGLP GMGMB GWGNB GQGNQ GRGRC GDGRD GLGRL GTGTM GFGUF GUGUM GYGUY HKHKG HMHMD "
    "HNHND HRHRV HTHTI HUHUN IDIDN IMIMN ININD IOIOT IEIRL IRIRN IQIRQ ISISL ILISR ITITA "
    "JMJAM JEJEY JOJOR JPJPN KZKAZ KEKEN KGKGZ KHKHM KIKIR KNKNA KRKOR KWKWT LALAO LBLBN "
    "LRLBR LYLBY LCLCA LILIE LKLKA LSLSO LTLTU LULUX LVLVA MOMAC MFMAF MAMAR MCMCO MDMDA "
    "MGMDG MVMDV MXMEX MHMHL MKMKD MLMLI MTMLT MMMMR MEMNE MNMNG MPMNP MZMOZ MRMRT MSMSR "
    "MQMTQ MUMUS MWMWI MYMYS YTMYT NANAM NCNCL NENER NFNFK NGNGA NINIC NUNIU NLNLD NONOR "
    "NPNPL NRNRU NZNZL OMOMN PKPAK PAPAN PNPCN PEPER PHPHL PWPLW PGPNG PLPOL PRPRI KPPRK "
    "PTPRT PYPRY PSPSE PFPYF QAQAT REREU ROROU RURUS RWRWA SASAU SDSDN SNSEN SGSGP GSSGS "
    "SHSHN SJSJM SBSLB SLSLE SVSLV SMSMR SOSOM PMSPM RSSRB SSSSD STSTP SRSUR SKSVK SISVN "
    "SESWE SZSWZ SXSXM SCSYC SYSYR TCTCA TDTCD TGTGO THTHA TJTJK TKTKL TMTKM TLTLS TOTON "
    "TTTTO TNTUN TRTUR TVTUV TWTWN TZTZA UGUGA UAUKR UMUMI UYURY USUSA UZUZB VAVAT VCVCT "
    "VEVEN VGVGB VIVIR VNVNM VUVUT WFWLF WSWSM YEYEM ZAZAF ZMZMB ZWZWE "
)
_ALPHA2 = {pair[:2]: pair[2:] for pair in _ALPHA2_PAIRS.split()}
# Country names as OFAC, the UN and users write them, where they differ from ISO's short names.
_COUNTRY_SYNONYMS = {
    "russia": "RUS",
    "burma": "MMR",
    "turkey": "TUR",
    "korea, north": "PRK",
    "democratic people's republic of korea": "PRK",
    "korea, democratic people's republic of": "PRK",
    "korea, south": "KOR",
    "republic of korea": "KOR",
    "korea, republic of": "KOR",
    "palestinian": "PSE",
    "palestine": "PSE",
    "state of palestine": "PSE",
    "region: gaza": "PSE",
    "congo, democratic republic of the": "COD",
    "democratic republic of the congo": "COD",
    "republic of the congo": "COG",
    "united kingdom of great britain and northern ireland": "GBR",
    "great britain": "GBR",
    "united states of america": "USA",
    "north macedonia, the republic of": "MKD",
    "macedonia": "MKD",
    "iran (islamic republic of)": "IRN",
    "iran, islamic republic of": "IRN",
    "syrian arab republic": "SYR",
    "the gambia": "GMB",
    "united republic of tanzania": "TZA",
    "czech republic": "CZE",
    "venezuela (bolivarian republic of)": "VEN",
    "bolivia (plurinational state of)": "BOL",
    "lao people's democratic republic": "LAO",
    "viet nam": "VNM",
    "republic of moldova": "MDA",
    "cote d'ivoire": "CIV",
    "ivory coast": "CIV",
    "brunei": "BRN",
    "cape verde": "CPV",
    "swaziland": "SWZ",
    "holy see": "VAT",
    "kosovo": "RKS",
}
_COUNTRY_PREFIXES = ("of registration ", "possibly ", "former ")


@functools.lru_cache(maxsize=4096)
def nationality_code(text: str) -> str | None:
    """An ICAO 9303 nationality code for `text` (a code, an alpha-2 code or a country name).

    `IDN` and `idn` → `IDN`; `ID` (upper case) → `IDN`; `Indonesia`, `Russia`, `Korea, North`
    → the code; None when unknown. Names are matched case-insensitively against the ISO 3166
    short names and the synonyms lists use; OFAC prefixes such as "of Registration" are ignored.
    """
    from screening.mrz.countries import ISO_3166_ALPHA3, is_known  # noqa: PLC0415

    value = " ".join(text.split()).strip(".")
    upper = value.upper()
    if len(value) == 2 and value.isupper() and value in _ALPHA2:
        return _ALPHA2[value]  # upper case only: "na" in OFAC remarks means "not available"
    if 1 <= len(upper) <= 3 and upper.isalpha():
        return upper if is_known(upper) else None
    key = value.casefold()
    for prefix in _COUNTRY_PREFIXES:
        key = key.removeprefix(prefix)
    if key in _COUNTRY_SYNONYMS:
        return _COUNTRY_SYNONYMS[key]
    for code, name in ISO_3166_ALPHA3.items():
        if name.casefold() == key:
            return code
    return None


# --- writing the native JSON lines format ----------------------------------------------------


def entry_to_json(entry: WatchlistEntry) -> dict[str, object]:
    """One entry as a native JSON-lines object (empty optional fields are left out)."""
    obj: dict[str, object] = {"id": entry.id, "kind": str(entry.kind), "name": entry.name}
    for column in NATIVE_COLUMNS[3:]:
        value = getattr(entry, column)
        if value:
            obj[column] = list(value) if isinstance(value, tuple) else value
    return obj


def dump_jsonl(
    entries: Iterable[WatchlistEntry],
    *,
    generated: dt.datetime | dt.date | None = None,
    comment: str = "",
) -> str:
    """The native JSON-lines text for `entries`, with a `# generated:` line when known."""
    buffer = io.StringIO()
    if comment:
        for line in comment.splitlines():
            buffer.write(f"# {line}\n")
    if generated is not None:
        buffer.write(f"# generated: {generated.isoformat()}\n")
    for entry in entries:
        buffer.write(json.dumps(entry_to_json(entry), ensure_ascii=False) + "\n")
    return buffer.getvalue()
