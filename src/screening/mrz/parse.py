"""Pure: MRZ text to `Mrz` (ICAO Doc 9303 Part 3 section 4, layouts in Parts 4 to 7).

`parse_mrz(text)` takes one document; `split_documents(text)` and `parse_mrz_stream(text)`
take a stream of several. Tolerated without comment, because document readers emit them: CR,
LF or CRLF line ends, spaces and tabs anywhere, blank lines, lowercase letters, and the
transport framing characters NUL, STX, ETX and a byte-order mark. Anything else outside the
MRZ alphabet (A-Z, 0-9, `<`) - a reader's `_` padding for an unread glyph, `«`, an emoji - is
never guessed at: it is reported as `unreadable_chars` with its line and column. The layout is
chosen from the text (line count, line length, a leading `V` for visas), never from a flag.

Errors (`MrzSyntaxError.code`, every problem listed in `.problems`, positions 1-based in the
messages, which never contain MRZ characters):
`empty_input` (no MRZ text), `input_too_long` (more than `MAX_DOCUMENT_CHARS` for one
document, `MAX_STREAM_CHARS` or `MAX_STREAM_LINES` for a stream), `unreadable_chars`,
`invalid_length` (a line is not 30/36/44 long, naming the expected length), `incomplete_mrz`
(a line is missing), `unknown_layout` (no ICAO layout has this line count), `not_text`.

Field values (`Field.value`): codes and the document number lose their trailing fillers
(`D<<` -> `D`); optional data loses leading and trailing fillers; dates, check digits and sex
are kept as printed (dates need `today` to resolve the century: see `validate.resolved_dates`);
names are split at the first `<<` and each filler becomes a space. A TD1/TD2 document number
longer than 9 characters (Part 5 section 4.2.2 note j, Part 6 note j: `<` in the check-digit
position, the rest of the number, then its check digit, in the optional data) is decoded into
one `document_number`, with `extras["document_number_overflow"] = "true"` and the 0-based
half-open columns of the continuation in `document_number_overflow_start`/`_end` (in TD2 the
continuation is not next to the first part, so the field's span covers the first part only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from screening.errors import MrzSyntaxError
from screening.model import Correction, Field, Mrz, Span
from screening.mrz.checkdigit import ALPHABET
from screening.mrz.layout import LAYOUTS, LINE_LENGTHS, Layout, layout_for

if TYPE_CHECKING:
    from screening.model import DocType

__all__ = [
    "MAX_DOCUMENT_CHARS",
    "MAX_STREAM_CHARS",
    "MAX_STREAM_LINES",
    "build_mrz",
    "parse_mrz",
    "parse_mrz_stream",
    "split_documents",
]

MAX_DOCUMENT_CHARS = 4096  # one MRZ is at most 92 characters; the rest is whitespace slack
MAX_STREAM_CHARS = 512 * 1024  # ~5,000 documents; a "1 MB line" is refused outright
MAX_STREAM_LINES = 5000

# Lowercase to uppercase (ASCII only: str.upper() would turn "ß" into two letters) and delete
# whitespace and transport framing.
_NORMALISE = str.maketrans(
    "abcdefghijklmnopqrstuvwxyz",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    " \t\x00\x02\x03\ufeff\u00a0",
)
_LINE_NAMES = {30: "TD1", 36: "TD2/MRV-B", 44: "TD3/MRV-A"}


def _coerce(text: object) -> str:
    if isinstance(text, str):
        return text
    if isinstance(text, (bytes, bytearray)):
        # Undecodable bytes become U+FFFD and are then reported as unreadable characters.
        return bytes(text).decode("utf-8", errors="replace")
    raise MrzSyntaxError("MRZ input must be text.", code="not_text")


def _lines(text: str) -> list[str]:
    """Normalised lines, blank ones kept (they separate documents)."""
    return [line.translate(_NORMALISE) for line in text.splitlines()]


def _nearest_length(length: int) -> int:
    return min(sorted(LINE_LENGTHS, reverse=True), key=lambda standard: abs(standard - length))


def _geometry_problems(lines: list[str]) -> list[tuple[str, str, int | None]]:
    """(code, message, 0-based line) for every line-count and line-length problem."""
    count = len(lines)
    lengths = [len(line) for line in lines]
    standard = [n for n in lengths if n in LINE_LENGTHS]
    if count == 3 and (30 in standard or not standard):
        expected = 30
    elif standard:
        expected = max(set(standard), key=standard.count)
    else:
        expected = _nearest_length(max(lengths))
    problems: list[tuple[str, str, int | None]] = [
        (
            "invalid_length",
            f"line {i + 1} has {n} characters; {_LINE_NAMES[expected]} lines have {expected}.",
            i,
        )
        for i, n in enumerate(lengths)
        if n != expected
    ]
    wanted = 3 if expected == 30 else 2
    if count > 3:
        problems.insert(
            0,
            (
                "unknown_layout",
                f"{count} lines: an MRZ has 2 or 3 lines (separate documents with a blank line).",
                None,
            ),
        )
    elif count < wanted:
        problems.insert(
            0,
            (
                "incomplete_mrz",
                (
                    f"{count} line(s) of {expected} characters: a {_LINE_NAMES[expected]} MRZ "
                    f"has {wanted} lines; line {count + 1} is missing."
                ),
                count,
            ),
        )
    elif count > wanted:
        problems.insert(
            0,
            (
                "unknown_layout",
                f"{count} lines of {expected} characters match no ICAO 9303 layout.",
                None,
            ),
        )
    return problems


def _unreadable(lines: list[str]) -> list[tuple[str, str, int | None]]:
    problems: list[tuple[str, str, int | None]] = []
    for i, line in enumerate(lines):
        if ALPHABET.issuperset(line):  # the common case, checked in C
            continue
        col = 0
        while col < len(line):
            if line[col] in ALPHABET:
                col += 1
                continue
            end = col
            while end < len(line) and line[end] not in ALPHABET:
                end += 1
            where = f"column {col + 1}" if end - col == 1 else f"columns {col + 1}-{end}"
            found = ", ".join(sorted({f"U+{ord(c):04X}" for c in line[col:end]}))
            problems.append(
                (
                    "unreadable_chars",
                    (
                        f"line {i + 1}, {where}: not an MRZ character ({found}); expected "
                        "A-Z, 0-9 or <, and it was not corrected."
                    ),
                    i,
                )
            )
            col = end
    return problems


_PRIORITY = ("unknown_layout", "incomplete_mrz", "invalid_length", "unreadable_chars")


def _raise(problems: list[tuple[str, str, int | None]]) -> None:
    ordered = sorted(problems, key=lambda p: _PRIORITY.index(p[0]))
    code, first, line = ordered[0]
    more = len(problems) - 1
    message = f"MRZ cannot be parsed: {first}"
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    raise MrzSyntaxError(
        message, code=code, problems=tuple(p[1] for p in problems), line=line, span=None
    )


def parse_mrz(text: str) -> Mrz:
    """Parse the MRZ of one document; raise `MrzSyntaxError` listing every problem.

    Example: `parse_mrz(text).value("surname")` where `text` holds the two or three lines.
    """
    text = _coerce(text)
    if len(text) > MAX_DOCUMENT_CHARS:
        raise MrzSyntaxError(
            f"MRZ input is longer than {MAX_DOCUMENT_CHARS} characters; one MRZ has at most 92.",
            code="input_too_long",
        )
    lines = [line for line in _lines(text) if line]
    if not lines:
        raise MrzSyntaxError("No MRZ text was given.", code="empty_input")
    return _parse_lines(lines)


def _parse_lines(lines: list[str]) -> Mrz:
    problems = _geometry_problems(lines) + _unreadable(lines)
    if problems:
        _raise(problems)
    layout = layout_for(len(lines), len(lines[0]), lines[0][0])
    if layout is None:  # pragma: no cover - geometry problems cover every other shape
        raise MrzSyntaxError("The MRZ matches no ICAO 9303 layout.", code="unknown_layout")
    return build_mrz(layout.doc_type, tuple(lines))


def _stripped(name: str, raw: str) -> str:
    if name.startswith("optional_data") and not name.endswith("check"):
        return raw.strip("<")
    if name in {"document_code", "issuing_state", "nationality", "document_number"}:
        return raw.rstrip("<")
    return raw


def build_mrz(
    doc_type: DocType,
    lines: tuple[str, ...],
    *,
    original_lines: tuple[str, ...] = (),
    corrections: tuple[Correction, ...] = (),
) -> Mrz:
    """Decode well-formed lines of a known layout into an `Mrz` (used by parse and repair)."""
    layout = LAYOUTS[doc_type]
    fields: dict[str, Field] = {}
    for spec in layout.fields:
        raw = lines[spec.line][spec.start : spec.end]
        fields[spec.name] = Field(
            spec.name, raw, _stripped(spec.name, raw), Span(spec.line, spec.start, spec.end)
        )
    extras: dict[str, str] = {}
    if layout.overflow:
        _decode_overflow(lines, fields, extras)
    names_truncated = _decode_names(layout, lines, fields)
    return Mrz(
        doc_type=doc_type,
        lines=lines,
        fields=fields,
        original_lines=original_lines or lines,
        corrections=corrections,
        names_truncated=names_truncated,
        extras=extras,
    )


def _decode_overflow(
    lines: tuple[str, ...], fields: dict[str, Field], extras: dict[str, str]
) -> None:
    """A `<` in the document-number check slot followed by data: the long-number rule."""
    number = fields["document_number"]
    check = fields["document_number_check"]
    optional = fields["optional_data"]
    if check.raw != "<" or optional.raw[:1] in {"", "<"}:
        return
    line = number.span.line
    opt_start, opt_end = optional.span.start, optional.span.end
    filler = optional.raw.find("<")
    end = opt_start + (filler if filler >= 0 else len(optional.raw))
    overflow = lines[line][opt_start : end - 1]
    # TD1: the optional data follows the check slot, so the number is one contiguous span.
    # TD2: nationality and dates lie between; the span covers the first part and the check
    # slot, and `extras` gives the columns of the continuation.
    adjacent = opt_start == number.span.end + 1
    fields["document_number"] = Field(
        "document_number",
        number.raw + "<" + overflow,
        number.raw + overflow,
        Span(line, number.span.start, end - 1 if adjacent else number.span.end + 1),
    )
    extras["document_number_overflow_start"] = str(opt_start)
    extras["document_number_overflow_end"] = str(end - 1)
    fields["document_number_check"] = Field(
        "document_number_check",
        lines[line][end - 1],
        lines[line][end - 1],
        Span(line, end - 1, end),
    )
    rest = lines[line][end:opt_end]
    fields["optional_data"] = Field(
        "optional_data", rest, rest.strip("<"), Span(line, end, opt_end)
    )
    extras["document_number_overflow"] = "true"


def _decode_names(layout: Layout, lines: tuple[str, ...], fields: dict[str, Field]) -> bool:
    """Split the name field at the first `<<`; True when it is full to the last character."""
    spec = layout.names
    raw = lines[spec.line][spec.start : spec.end]
    body = raw.rstrip("<")
    split = body.find("<<")
    if split < 0:
        primary_end, secondary_start = len(body), len(body)
    else:
        primary_end, secondary_start = split, split + 2
    primary = body[:primary_end]
    secondary = body[secondary_start:]
    fields["surname"] = Field(
        "surname",
        primary,
        primary.replace("<", " ").strip(),
        Span(spec.line, spec.start, spec.start + primary_end),
    )
    fields["given_names"] = Field(
        "given_names",
        secondary,
        secondary.replace("<", " ").strip(),
        Span(spec.line, spec.start + secondary_start, spec.start + max(len(body), secondary_start)),
    )
    return raw[-1:] != "<"


def split_documents(
    text: str, *, max_chars: int = MAX_STREAM_CHARS, max_lines: int = MAX_STREAM_LINES
) -> tuple[tuple[int, str], ...]:
    """Split a stream into documents: (1-based first input line, document text).

    Blank lines separate documents; inside a block of more than 3 lines, documents are cut
    by line length (3 lines of 30, otherwise 2 lines). Raises `input_too_long` for a stream
    over `max_chars` characters or `max_lines` lines (defaults `MAX_STREAM_CHARS`,
    `MAX_STREAM_LINES`; configurable), before splitting it.
    """
    text = _coerce(text)
    if len(text) > max_chars:
        raise MrzSyntaxError(
            f"MRZ input is larger than {max_chars} characters; split it into smaller files.",
            code="input_too_long",
        )
    raw_lines = text.splitlines()
    if len(raw_lines) > max_lines:
        raise MrzSyntaxError(
            f"MRZ input has more than {max_lines} lines; split it into smaller files.",
            code="input_too_long",
        )
    blocks: list[list[tuple[int, str, str]]] = [[]]
    for number, raw in enumerate(raw_lines, start=1):
        clean = raw.translate(_NORMALISE)
        if clean:
            blocks[-1].append((number, raw, clean))
        elif blocks[-1]:
            blocks.append([])
    documents: list[tuple[int, str]] = []
    for block in blocks:
        if not block:
            continue
        if len(block) <= 3:
            documents.append((block[0][0], "\n".join(raw for _, raw, _ in block)))
            continue
        i = 0
        while i < len(block):
            size = 3 if _nearest_length(len(block[i][2])) == 30 else 2
            chunk = block[i : i + size]
            documents.append((chunk[0][0], "\n".join(raw for _, raw, _ in chunk)))
            i += size
    return tuple(documents)


def parse_mrz_stream(
    text: str, *, max_chars: int = MAX_STREAM_CHARS, max_lines: int = MAX_STREAM_LINES
) -> tuple[Mrz | MrzSyntaxError, ...]:
    """Parse every document in a stream; an unparseable one becomes its `MrzSyntaxError`.

    Never raises for bad input: a stream over the limits gives one `input_too_long` item.
    """
    results: list[Mrz | MrzSyntaxError] = []
    try:
        documents = split_documents(text, max_chars=max_chars, max_lines=max_lines)
    except MrzSyntaxError as error:
        return (error,)
    for _, document in documents:
        try:
            results.append(parse_mrz(document))
        except MrzSyntaxError as error:
            results.append(error)
    return tuple(results)
