"""Pure arbitration between OCR hypotheses of one MRZ, decided by its own check digits.

Tesseract gives text lines; an MRZ has a fixed geometry (ICAO Doc 9303 Parts 4 to 7) and
check digits (Part 3 section 4.9). For every group of two or three read lines we build
hypotheses: each line brought to its layout length in a few ways (trailing fillers, the
longest filler run, the first character), characters put into their field's class (`O` in a
date is `0`, `0` in a name is `O`), a `<` that the OCR read as `K`, `X`, `S`... inside the
trailing filler of the name field restored, and, only when a check digit fails, the smallest
set of look-alike swaps (`0`/`O`, `1`/`I`, `8`/`B`, ...) in the protected field that makes it
pass. Lines may come from different OCR passes. Hypotheses are ranked by failing check
digits, then anomalies left, then corrections made, then OCR confidence. A check digit that
passes only thanks to a character every reader saw otherwise (`_agreed`), or one its reader
doubted, counts as failing: a specimen or forgery printed with a wrong check digit is read as
printed, never "repaired". Every change is kept as a `Correction` with its reason, so a
repaired read is never shown as a clean one.
"""

from __future__ import annotations

import collections
import difflib
import functools
import itertools
import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

from screening.model import Correction, DocType
from screening.mrz import checkdigit
from screening.mrz.countries import ICAO_CODES, is_known
from screening.mrz.layout import (
    DOCUMENT_LETTERS,
    LAYOUTS,
    CharClass,
    CheckSpec,
    FieldSpec,
    Layout,
    layout_for,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = [
    "Hypothesis",
    "ReadLine",
    "against_readers",
    "arbitrate",
    "disagreements",
    "protected_positions",
    "score_lines",
    "vote",
]

_LENGTHS = (30, 36, 44)
_OTHER_TWO_LINE = {36: 44, 44: 36}
_TO_DIGIT = {
    "O": "0",
    "D": "0",
    "Q": "0",
    "U": "0",
    "C": "0",
    "I": "1",
    "L": "1",
    "J": "1",
    "Z": "2",
    "S": "5",
    "B": "8",
    "G": "6",
    "T": "7",
    "A": "4",
}
_TO_LETTER = {"0": "O", "1": "I", "2": "Z", "4": "A", "5": "S", "6": "G", "8": "B", "7": "T"}
# Look-alike pairs tried in a check-digit-protected alphanumeric field when its check fails.
_LOOKALIKE = {
    "0": "OD",
    "O": "0",
    "D": "0",
    "Q": "0",
    "1": "I",
    "I": "1",
    "8": "B",
    "B": "8",
    "5": "S",
    "S": "5",
    "2": "Z",
    "Z": "2",
    "6": "G",
    "G": "6",
}
# Letters that OCR-B glyphs turn into on blurred or low-resolution scans (measured on the
# developers' set: CAN read CAM, USA read UBA, JPN read JTN or JPH, EGY read EGT, UTO read OTO;
# a card's I read Z beside vertical print).
_LETTER_LOOKALIKE = {
    "A": "4R",
    "B": "ES8RP",
    "C": "GO",
    "D": "O0",
    "E": "BFI",
    "F": "EP",
    "G": "C6",
    "H": "MNW",
    "I": "1LT",
    "K": "RX",
    "L": "I1",
    "M": "NHW",
    "N": "MH",
    "O": "0DQU",
    "P": "FRT",
    "Q": "O",
    "R": "BKP",
    "S": "5B",
    "T": "IPY",
    "U": "OV",
    "V": "UY",
    "W": "HM",
    "X": "K",
    "Y": "TV",
    "Z": "I2",
}
_MIN_LINE = 20
# A character read with a probability below this is doubted by its reader (`_doubts`).
_DOUBT = 0.5
# A character read with this probability or more outweighs two other readers in `vote`.
_SURE_VOTE = 0.9
_SURE_WEIGHT = 2.1
# ...and one read with this probability or more breaks a tie (a three-way split, one to one).
_FAIRLY_SURE = 0.8
_FAIRLY_SURE_WEIGHT = 1.2
# ...and one read with a probability below `_DOUBT` counts half.
_DOUBTED_WEIGHT = 0.5
# Line combinations scored per layout: the best options of each line, all combined.
_MAX_COMBINATIONS = 512
_COUNTRY_FIELDS = frozenset({"issuing_state", "nationality"})
# Letters a blurred visa's leading V is read as (measured: France read W, and U/Y look alike).
_VISA_LOOKALIKES = frozenset("UYW")


@dataclass(frozen=True, slots=True)
class ReadLine:
    """One OCR line: its text (MRZ alphabet only), confidence 0-100 and the pass it came from.

    `rank` orders the models that read it (0: the first model, 1: the second opinion): their
    confidences are not comparable, so between equally consistent lines the lower rank wins.
    """

    text: str
    confidence: float
    source: str
    rank: int = 0
    # The line's middle as a share of the block's height (None: unknown). Readings of one
    # block by several passes are combined only where their lines lie where MRZ lines do.
    row: float | None = None
    # Each character's probability (0-1) where the reader gives one (our line reader).
    probabilities: tuple[float, ...] = ()
    # The reader (model) that read it, for `_agreed`; "" when unknown.
    reader: str = ""


@dataclass(frozen=True, slots=True)
class Hypothesis:
    """A complete MRZ candidate and the evidence for it."""

    doc_type: DocType
    lines: tuple[str, ...]
    original: tuple[str, ...]
    corrections: tuple[Correction, ...]
    failed_checks: tuple[str, ...]
    checks_run: int
    anomalies: tuple[str, ...]
    confidences: tuple[float, ...]
    sources: tuple[str, ...]
    ranks: tuple[int, ...] = ()
    # Characters in passing fields that their reader doubted (`_doubts`).
    doubts: int = 0
    # Per line as read (`original`), each character's probability where the reader gives one.
    probabilities: tuple[tuple[float, ...], ...] = ()
    # Characters where every reader saw another (`_agreed`), and passing checks whose data
    # holds one: a check that passes only with such a character proves nothing.
    overruled: int = 0
    unproven: int = 0

    @property
    def suspect(self) -> int:
        """Failing checks, doubted characters in passing fields, and unproven checks.

        Each is evidence of one misread (or, for a failing check, of a bad document).
        """
        return len(self.failed_checks) + self.doubts + self.unproven

    @property
    def key(self) -> tuple[int, int, int, int, int, float]:
        """Sort key: fewer suspect characters, anomalies and corrections, then more confidence.

        A doubted character in a passing field counts as a failing check, and so does a
        check that passes only with a character every reader saw as another (`unproven`: a
        misread variant, a shifted cut); between equal counts the read with fewer such
        characters (`overruled`) wins, so a change that makes one more check pass never
        beats the faithful read of a document printed with a wrong check digit. Then lines
        of the first model beat the second opinion's (`ReadLine.rank`).
        """
        mean = sum(self.confidences) / max(len(self.confidences), 1)
        return (
            self.suspect,
            self.overruled,
            len(self.anomalies),
            len(self.corrections),
            sum(self.ranks),
            -mean,
        )

    @property
    def consistent(self) -> bool:
        """Every check digit passes, surely, and nothing looks wrong: no need to read further."""
        return not self.suspect and not self.anomalies


def arbitrate(passes: list[list[ReadLine]]) -> Hypothesis | None:
    """The best MRZ hypothesis over every OCR pass, or None when no pass looks like an MRZ."""
    groups: dict[tuple[int, int], list[list[ReadLine]]] = {}
    for lines in passes:
        for count in (3, 2):
            for group in _windows(lines, count):
                for length in _group_lengths(group):
                    groups.setdefault((count, length), []).append(group)
    agreed = functools.cache(functools.partial(_agreed, readings=_readings(passes)))
    best: Hypothesis | None = None
    for (count, length), found in groups.items():
        options: list[list[tuple[ReadLine, str, tuple[Correction, ...]]]] = []
        for index in range(count):
            seen: dict[str, tuple[ReadLine, str, tuple[Correction, ...]]] = {}
            for group in found:
                read = group[index]
                for text, fixes in _fit_length(read.text, length, index):
                    # The same text from several readings: the one that needed fewest
                    # length edits to give it, then the first model's, the more confident.
                    if text not in seen or (len(fixes), _preference(read)) < (
                        len(seen[text][2]),
                        _preference(seen[text][0]),
                    ):
                        seen[text] = (read, text, fixes)
            ranked = sorted(
                seen.values(),
                key=functools.partial(
                    _line_key, index=index, count=count, length=length, agreed=agreed
                ),
            )
            options.append(ranked[: _per_line(count)])
        for combo in itertools.product(*options):
            if not _in_place([item[0].row for item in combo], found):
                continue
            hypothesis = score_lines(
                [item[1] for item in combo],
                originals=[item[0] for item in combo],
                length_fixes=[fix for item in combo for fix in item[2]],
                agreed=[agreed(item[1]) for item in combo],
            )
            if hypothesis is not None and (best is None or hypothesis.key < best.key):
                best = hypothesis
    return best


def _readings(passes: Iterable[Iterable[ReadLine]]) -> dict[str, list[str]]:
    """Each reader's lines read at a layout length, for `_agreed`."""
    readings: dict[str, list[str]] = {}
    for lines in passes:
        for line in lines:
            if line.reader and len(line.text) in _LENGTHS:
                readings.setdefault(line.reader, []).append(line.text)
    return readings


def _agreed(text: str, readings: dict[str, list[str]]) -> dict[int, str]:
    """Column -> the one character every reader saw there, in its readings of `text`'s line.

    `readings` holds each reader's lines read at exactly the layout's length (by
    `ReadLine.reader`). A reader's reading of the same MRZ line is one within a quarter of the
    length in edit distance (another MRZ line differs far more); only when two or more readers
    read it does anything count as agreed. A reader that read the line several times
    (preprocessing variants) saw every character it read. Where all readers saw the same
    character, a hypothesis that puts another there does so against all of them: a variant
    that misread `9` as `Y` once, a line cut to length one column off, or a look-alike swap
    (`8` to `B`) must not win by making a check digit pass that the document itself fails (a
    forged or specimen MRZ). Characters put into their field's class (`O` in a date) are
    compared as such.
    """
    from rapidfuzz.distance import Levenshtein  # noqa: PLC0415

    limit = len(text) // 4
    columns: list[list[set[str]]] = []
    for lines in readings.values():
        near = [
            line
            for line in lines
            if len(line) == len(text)
            and Levenshtein.distance(text, line, score_cutoff=limit) <= limit
        ]
        if near:
            columns.append([set(chars) for chars in zip(*near, strict=True)])
    if len(columns) < 2:
        return {}
    agreed: dict[int, str] = {}
    for col in range(len(text)):
        common = set.intersection(*(seen[col] for seen in columns))
        if len(common) == 1:
            agreed[col] = common.pop()
    return agreed


def _in_place(rows: list[float | None], groups: list[list[ReadLine]]) -> bool:
    """Lines taken from several readings lie where consecutive MRZ lines lie.

    Each reading's consecutive lines give the zone's line spacing; a combination must go
    down the block one line at a time, each step within 40% of the median spacing read
    (so the line above the zone, or one line twice, never stands in for an MRZ line).
    Unknown rows are not checked.
    """
    known = [row for row in rows if row is not None]
    if len(known) < len(rows) or len(rows) < 2:
        return True
    spacings = [
        b - a
        for group in groups
        for a, b in itertools.pairwise(line.row for line in group)
        if a is not None and b is not None and b > a
    ]
    if not spacings:
        return True
    spacing = statistics.median(spacings)
    return all(0.6 * spacing <= b - a <= 1.4 * spacing for a, b in itertools.pairwise(known))


def _per_line(count: int) -> int:
    """Options kept per line so that every combination of them is scored (at most 512)."""
    return max(1, int(round(_MAX_COMBINATIONS ** (1 / count), 6)))


def _line_key(
    item: tuple[ReadLine, str, tuple[Correction, ...]],
    index: int,
    count: int,
    length: int,
    agreed: Callable[[str], dict[int, str]],
) -> tuple[int, int, int, int, int, float]:
    """How good one line's reading is on its own: the hypothesis key with fillers elsewhere.

    The other lines are the same placeholder for every option, so only the checks, anomalies
    and corrections of this line tell options apart (a check spanning two lines fails alike
    for all of them).
    """
    read, text, fixes = item
    texts = ["<" * length] * count
    texts[index] = text
    reads = [ReadLine("", 0.0, "")] * count
    reads[index] = read
    everywhere: list[dict[int, str]] = [{}] * count
    everywhere[index] = agreed(text)
    hypothesis = score_lines(texts, originals=reads, length_fixes=list(fixes), agreed=everywhere)
    if hypothesis is None:
        return (99, 99, 99, 99, read.rank, -read.confidence)
    suspect, overruled, anomalies, corrections, _, _ = hypothesis.key
    return (suspect, overruled, anomalies, corrections, read.rank, -read.confidence)


def _preference(read: ReadLine) -> tuple[int, float]:
    """Between readings of the same text: the first model's, then the more confident."""
    return (read.rank, -read.confidence)


def score_lines(
    texts: list[str],
    *,
    originals: list[ReadLine] | None = None,
    length_fixes: list[Correction] | None = None,
    agreed: list[dict[int, str]] | None = None,
) -> Hypothesis | None:
    """Repair and score lines that already have their layout's length (None: no layout).

    A two-line zone starting with a look-alike of `V` (`U`, `Y`, `W`) is also scored as a
    visa with that letter corrected; the better hypothesis wins. `agreed` gives, per line,
    the characters every reader saw (`_agreed`); a character that differs from them is
    `overruled`, and a passing check whose data holds one is `unproven`.
    """
    if not texts:
        return None
    reads = originals or [ReadLine(text, 0.0, "") for text in texts]
    fixes = list(length_fixes or [])
    seen = agreed or [{}] * len(texts)
    first = texts[0][:1]
    best = _score(layout_for(len(texts), len(texts[0]), first), texts, reads, fixes, seen)
    if len(texts) == 2 and first in _VISA_LOOKALIKES:
        fix = Correction(0, 0, first, "V", "a visa's document code starts with V")
        visa = _score(
            layout_for(2, len(texts[0]), "V"),
            ["V" + texts[0][1:], texts[1]],
            reads,
            [*fixes, fix],
            seen,
        )
        if visa is not None and (best is None or visa.key < best.key):
            return visa
    return best


def _score(
    layout: Layout | None,
    texts: list[str],
    reads: list[ReadLine],
    fixes: list[Correction],
    agreed: list[dict[int, str]] | None = None,
) -> Hypothesis | None:
    if layout is None or any(len(text) != layout.line_length for text in texts):
        return None
    lines = [list(text) for text in texts]
    corrections = list(fixes)
    anomalies: list[str] = []
    _fix_classes(layout, lines, corrections, anomalies)
    _fix_document_code(layout, lines, corrections, anomalies)
    _fix_countries(layout, lines, corrections, anomalies)
    _fix_name_filler(layout, lines, corrections, anomalies)
    # Where every reader saw the character now there, no look-alike swap may change it.
    agreed = agreed or []
    unanimous = {
        (index, col)
        for index, seen in enumerate(agreed)
        for col, char in seen.items()
        if _in_class(layout, index, col, lines[index][col]) == _in_class(layout, index, col, char)
    }
    failed, run = _checks(layout, lines, corrections, unanimous)
    against, unproven = _against(layout, ["".join(line) for line in lines], agreed, failed)
    return Hypothesis(
        doc_type=layout.doc_type,
        lines=tuple("".join(line) for line in lines),
        original=tuple(read.text for read in reads),
        corrections=tuple(corrections),
        failed_checks=tuple(failed),
        checks_run=run,
        anomalies=tuple(anomalies),
        confidences=tuple(read.confidence for read in reads),
        sources=tuple(read.source for read in reads),
        ranks=tuple(read.rank for read in reads),
        doubts=_doubts(layout, failed, reads, corrections),
        probabilities=tuple(read.probabilities for read in reads),
        overruled=len(against),
        unproven=unproven,
    )


def _against(
    layout: Layout, lines: list[str], agreed: list[dict[int, str]], failed: Iterable[str]
) -> tuple[set[tuple[int, int]], int]:
    """Where `lines` differ from what every reader saw, and how many passing checks that touches.

    Characters are compared in their fields' classes; the count is of passing checks with
    such a position in their data (`Hypothesis.unproven`).
    """
    against = {
        (index, col)
        for index, seen in enumerate(agreed)
        for col, char in seen.items()
        if _in_class(layout, index, col, lines[index][col]) != _in_class(layout, index, col, char)
    }
    failing = set(failed)
    unproven = sum(
        1 for check in layout.checks if check.code not in failing and against & _span(layout, check)
    )
    return against, unproven


def against_readers(
    hypothesis: Hypothesis, passes: Iterable[Iterable[ReadLine]]
) -> tuple[int, int]:
    """(unproven checks, overruled characters) of a finished read against `passes`.

    For choosing between reads of one page made from different blocks (our detector's and
    PassportEye's box): a check that passes there only with a character every reader of
    either block saw otherwise proves nothing, as within one block (`_agreed`).
    """
    readings = _readings(passes)
    agreed = [_agreed(line, readings) for line in hypothesis.lines]
    layout = LAYOUTS[hypothesis.doc_type]
    against, unproven = _against(layout, list(hypothesis.lines), agreed, hypothesis.failed_checks)
    return unproven, len(against)


def _doubts(
    layout: Layout, failed: list[str], reads: list[ReadLine], fixes: list[Correction]
) -> int:
    """Characters the reader doubted (probability below one half) in fields that pass.

    A check digit passes by chance once in ten: when it passes only thanks to characters
    the reader itself thought more likely wrong, it proves little (a specimen printed with
    bad check digits must not be "read right" by a misread that happens to fit). A line read
    at another length is mapped through its length edits (`fixes`): a doubted character that
    was cut off is not in the hypothesis and proves nothing either way.
    """
    covered = _covered(layout, tuple(failed))
    count = 0
    for index, read in enumerate(reads):
        doubted = [col for col, chance in enumerate(read.probabilities) if chance < _DOUBT]
        if not doubted:
            continue
        columns = _as_laid_out(len(read.text), index, fixes)
        count += sum(1 for col in doubted if (index, columns.get(col, -1)) in covered)
    return count


def _as_laid_out(length: int, index: int, fixes: list[Correction]) -> dict[int, int]:
    """Column as read -> column in the layout, for line `index` after its length edits.

    `_fit_length` records a character cut off as read -> nothing and a filler put in as
    nothing -> `<`; every other character keeps its order.
    """
    dropped = {fix.col for fix in fixes if fix.line == index and fix.read and not fix.used}
    inserted = {fix.col for fix in fixes if fix.line == index and fix.used and not fix.read}
    columns: dict[int, int] = {}
    out = 0
    for col in range(length):
        if col in dropped:
            continue
        while out in inserted:
            out += 1
        columns[col] = out
        out += 1
    return columns


def _windows(lines: list[ReadLine], count: int) -> list[list[ReadLine]]:
    long_lines = [line for line in lines if len(line.text) >= _MIN_LINE]
    return [long_lines[i : i + count] for i in range(len(long_lines) - count + 1)]


def _group_lengths(group: list[ReadLine]) -> list[int]:
    """The layout lengths every line of the group is close to.

    A line may be 4 characters short (fillers not seen) or 8 long (text beside the zone).
    A two-line group is not fitted to one two-line length (36 or 44) when a line was read at
    exactly the other, or every line is nearer the other: a passport's 44-character lines cut
    to a visa's 36 fail fewer checks only because a visa has fewer (no composite), and ICAO's
    example passport printed with wrong check digits was read as a visa that way.
    """
    counts = [len(line.text) for line in group]

    def nearer_other(length: int) -> bool:
        other = _OTHER_TWO_LINE.get(length)
        if len(group) != 2 or other is None:
            return False
        return other in counts or all(abs(n - other) < abs(n - length) for n in counts)

    return [
        length
        for length in _LENGTHS
        if (len(group) == 3) == (length == 30)
        and all(-4 <= n - length <= 8 for n in counts)
        and not nearer_other(length)
    ]


def _fit_length(text: str, length: int, index: int) -> list[tuple[str, tuple[Correction, ...]]]:
    """Ways to bring one read line to the layout length, each with its recorded edits."""
    diff = len(text) - length
    if diff == 0:
        return [(text, ())]
    reason = f"line read with {len(text)} characters, the layout has {length}"
    options: list[tuple[str, tuple[Correction, ...]]] = []
    if diff < 0:
        pad = "<" * -diff
        options.append(
            (
                text + pad,
                tuple(Correction(index, len(text) + i, "", "<", reason) for i in range(-diff)),
            )
        )
        start, end = _longest_run(text)
        if end > start:
            options.append(
                (
                    text[:end] + pad + text[end:],
                    tuple(Correction(index, end + i, "", "<", reason) for i in range(-diff)),
                )
            )
    else:
        tail = text[length:]
        options.append(
            (
                text[:length],
                tuple(Correction(index, length + i, ch, "", reason) for i, ch in enumerate(tail)),
            )
        )
        options.append(
            (
                text[diff:],
                tuple(Correction(index, i, ch, "", reason) for i, ch in enumerate(text[:diff])),
            )
        )
        for cut in range(1, diff):  # text on both sides of the zone
            kept = text[cut : cut + length]
            dropped = [(i, text[i]) for i in (*range(cut), *range(cut + length, len(text)))]
            options.append((kept, tuple(Correction(index, i, ch, "", reason) for i, ch in dropped)))
        start, end = _longest_run(text)
        if end - start > diff:
            options.append(
                (
                    text[: end - diff] + text[end:],
                    tuple(Correction(index, end - diff + i, "<", "", reason) for i in range(diff)),
                )
            )
    return options


def _longest_run(text: str) -> tuple[int, int]:
    best = (0, 0)
    start = None
    for i, ch in enumerate([*text, ""]):
        if ch == "<":
            if start is None:
                start = i
        elif start is not None:
            if i - start > best[1] - best[0]:
                best = (start, i)
            start = None
    return best


def _fix_classes(
    layout: Layout, lines: list[list[str]], corrections: list[Correction], anomalies: list[str]
) -> None:
    """Put every fixed field's characters into its class (digits in dates, letters in codes).

    A country code is changed as a whole or not at all: `C4N` becomes `CAN`, but a code
    printed in digits (`132` on a Romanian specimen) stays as read, an anomaly.
    """
    for spec in layout.fields:
        line = lines[spec.line]
        if spec.name in _COUNTRY_FIELDS:
            _fix_country_class(spec, line, corrections, anomalies)
            continue
        for col in range(spec.start, spec.end):
            ch = line[col]
            if ch == "<":
                continue
            if spec.chars is CharClass.NUMERIC and not ch.isdigit():
                _replace(
                    line,
                    spec.line,
                    col,
                    _TO_DIGIT.get(ch),
                    f"{spec.name} is numeric",
                    corrections,
                    anomalies,
                )
            elif spec.chars is CharClass.ALPHA and ch.isdigit():
                _replace(
                    line,
                    spec.line,
                    col,
                    _TO_LETTER.get(ch),
                    f"{spec.name} is alphabetic",
                    corrections,
                    anomalies,
                )
            elif spec.chars is CharClass.SEX and ch not in "MFX":
                anomalies.append(f"sex:{spec.line}:{col}")
            elif spec.chars is CharClass.CODE and col == spec.start and ch.isdigit():
                _replace(
                    line,
                    spec.line,
                    col,
                    _TO_LETTER.get(ch),
                    "the document code starts with a letter",
                    corrections,
                    anomalies,
                )
    names = layout.names
    line = lines[names.line]
    for col in range(names.start, names.end):
        if line[col].isdigit():
            _replace(
                line,
                names.line,
                col,
                _TO_LETTER.get(line[col]),
                "names are alphabetic",
                corrections,
                anomalies,
            )


def _fix_country_class(
    spec: FieldSpec, line: list[str], corrections: list[Correction], anomalies: list[str]
) -> None:
    """Digits in a country code become their look-alike letters only if every one has one."""
    cols = [col for col in range(spec.start, spec.end) if line[col].isdigit()]
    if not cols:
        return
    if any(line[col] not in _TO_LETTER for col in cols):
        anomalies.extend(f"class:{spec.line}:{col}" for col in cols)
        return
    for col in cols:
        _replace(
            line,
            spec.line,
            col,
            _TO_LETTER[line[col]],
            f"{spec.name} is alphabetic",
            corrections,
            anomalies,
        )


def _fix_document_code(
    layout: Layout, lines: list[list[str]], corrections: list[Correction], anomalies: list[str]
) -> None:
    """The document code's first letter is set by the layout (P, V, or A/C/I for cards).

    A letter outside it becomes the only allowed look-alike (`E` read for `I`); with none or
    several it stays as read, an anomaly (the validator reports the code).
    """
    line = lines[0]
    allowed = DOCUMENT_LETTERS[layout.doc_type]
    if line[0] in allowed:
        return
    options = [alike for alike in _LETTER_LOOKALIKE.get(line[0], "") if alike in allowed]
    if len(options) != 1:
        anomalies.append("code:0:0")
        return
    corrections.append(
        Correction(
            0,
            0,
            line[0],
            options[0],
            f"a {layout.doc_type.value} document code starts with {' or '.join(allowed)}",
        )
    )
    line[0] = options[0]


def _fix_countries(
    layout: Layout, lines: list[list[str]], corrections: list[Correction], anomalies: list[str]
) -> None:
    """Bring an unknown issuing state or nationality back to the ICAO code it was misread from.

    No check digit protects these codes. An unknown code one letter away from the other
    country field's valid code takes that code (they are the same on most documents);
    otherwise it takes the only known code that one look-alike letter away gives (`CAM` ->
    `CAN`). Anything else stays as read and is an anomaly (the validator reports the code).
    """
    specs = [spec for spec in layout.fields if spec.name in _COUNTRY_FIELDS]
    codes = {spec.name: "".join(lines[spec.line][spec.start : spec.end]) for spec in specs}
    for spec in specs:
        code = codes[spec.name]
        if is_known(code) or "<" in code.rstrip("<"):
            continue
        anchors = {other for name, other in codes.items() if name != spec.name and is_known(other)}
        near = [
            other for other in anchors if sum(a != b for a, b in zip(code, other, strict=True)) == 1
        ]
        options = near or sorted(
            {
                code[:i] + alike + code[i + 1 :]
                for i, ch in enumerate(code)
                for alike in _LETTER_LOOKALIKE.get(ch, "")
                if code[:i] + alike + code[i + 1 :] in ICAO_CODES
            }
        )
        if len(options) != 1:
            anomalies.append(f"country:{spec.line}:{spec.start}")
            continue
        line = lines[spec.line]
        for offset, (was, now) in enumerate(zip(code, options[0], strict=True)):
            if was != now:
                reason = f"{spec.name} {code} is not an ICAO code; {options[0]} is one letter away"
                corrections.append(Correction(spec.line, spec.start + offset, was, now, reason))
                line[spec.start + offset] = now
        codes[spec.name] = options[0]


def _replace(  # noqa: PLR0917 - private helper, called positionally in one place
    line: list[str],
    index: int,
    col: int,
    used: str | None,
    reason: str,
    corrections: list[Correction],
    anomalies: list[str],
) -> None:
    if used is None:
        anomalies.append(f"class:{index}:{col}")
        return
    corrections.append(Correction(index, col, line[col], used, reason))
    line[col] = used


def _fix_name_filler(
    layout: Layout, lines: list[list[str]], corrections: list[Correction], anomalies: list[str]
) -> None:
    """Restore `<` read as a letter in the filler after the names (ICAO Part 3 section 4.6).

    Names are `SURNAME<<GIVEN<NAMES`; after the given names (a second `<<`) only fillers may
    follow. A short letter run there (one or two letters between fillers) is a misread `<`;
    a longer one is left as read and reported as an anomaly.
    """
    spec = layout.names
    line = lines[spec.line]
    text = "".join(line[spec.start : spec.end])
    first = text.find("<<")
    if first < 0:
        return
    second = text.find("<<", first + 2)
    if second < 0:
        return
    col = second
    while col < len(text):
        if text[col] == "<":
            col += 1
            continue
        end = col
        while end < len(text) and text[end] != "<":
            end += 1
        if end - col <= 2:
            for pos in range(col, end):
                corrections.append(
                    Correction(
                        spec.line,
                        spec.start + pos,
                        text[pos],
                        "<",
                        "letter inside the name filler read for '<'",
                    )
                )
                line[spec.start + pos] = "<"
        else:
            anomalies.append(f"filler:{spec.line}:{spec.start + col}")
        col = end


def _checks(
    layout: Layout,
    lines: list[list[str]],
    corrections: list[Correction],
    agreed: set[tuple[int, int]] | frozenset[tuple[int, int]] = frozenset(),
) -> tuple[list[str], int]:
    """Run every check digit; swap look-alikes in a failing field when that alone fixes it.

    No swap is made at a position in `agreed` (line, column): every reader saw the character
    there, so a check that fails on it is the document's, not a misread (`_agreed`).

    When several single swaps would satisfy a field's check digit (`O0000000<` passes as
    `00000000<` and as `OO000000<`), the one that leaves only digits in the field is made, if
    only one does: a letter read among digits is a likelier misread than a digit read as a
    second letter. (The composite check cannot choose: it weighs the document number at
    the same positions as its own check digit does.)
    """
    failed: list[str] = []
    run = 0
    for check in layout.checks:
        digit_spec = layout.spec(check.digit)
        if digit_spec is None:
            continue
        if check.composite:
            data = "".join("".join(lines[ln][s:e]) for ln, s, e in check.composite)
            digit = lines[digit_spec.line][digit_spec.start]
            run += 1
            if not checkdigit.is_valid(data, digit):
                failed.append(check.code)
            continue
        data_spec = layout.spec(check.data)
        if data_spec is None:
            continue
        line = lines[data_spec.line]
        data = "".join(line[data_spec.start : data_spec.end])
        digit = lines[digit_spec.line][digit_spec.start]
        if check.data == "optional_data" and digit == "<" and set(data) <= {"<"}:
            continue
        if check.data == "document_number" and layout.overflow and digit == "<":
            run += 1
            if not _overflow_ok(layout, lines):
                failed.append(check.code)
            continue
        run += 1
        if checkdigit.is_valid(data, digit):
            if data_spec.chars is CharClass.ALNUM:
                _prefer_zeros(line, data_spec.line, data_spec.start, data, digit, corrections)
            continue
        if data_spec.chars is CharClass.ALNUM:
            fixed = {col - data_spec.start for line_no, col in agreed if line_no == data_spec.line}
            answers = _only_digits_if_unique(data, _swaps(data, digit, fixed))
            if len(answers) == 1:
                _swap(
                    line, data_spec.line, data_spec.start, data, answers[0], check.code, corrections
                )
                # The swap may leave O's among digits that pass either way (`XX0OO0OO`).
                swapped = "".join(line[data_spec.start : data_spec.end])
                _prefer_zeros(line, data_spec.line, data_spec.start, swapped, digit, corrections)
                continue
        failed.append(check.code)
    return failed, run


def _overflow_ok(layout: Layout, lines: list[list[str]]) -> bool:
    """TD1/TD2 long document number: 9 characters, `<`, the rest and its digit in optional data."""
    number = layout.spec("document_number")
    optional = layout.spec("optional_data") or layout.spec("optional_data_2")
    if number is None or optional is None:
        return False
    head = "".join(lines[number.line][number.start : number.end])
    rest = "".join(lines[optional.line][optional.start : optional.end]).split("<", 1)[0]
    if len(rest) < 2:
        return False
    return checkdigit.is_valid(head + rest[:-1], rest[-1])


def _prefer_zeros(  # noqa: PLR0917 - private helper with one caller
    line: list[str],
    index: int,
    start: int,
    data: str,
    digit: str,
    corrections: list[Correction],
) -> None:
    """`O` read among digits, where `0` passes the check digit as well: take `0`, recorded.

    `O` is worth 24 and `0` nothing, so one swap always changes the check digit, but two can
    cancel out (weights 7 and 3: 24 x 10 = 240); on small or blurred print `0070070071` was
    read as `007OO70071` and both pass. The check digit cannot choose, the field is mostly
    digits, so the digits win and the correction makes the read fail `repaired`.
    """
    if "O" not in data or not any(ch.isdigit() for ch in data):
        return
    zeros = data.replace("O", "0")
    if not checkdigit.is_valid(zeros, digit):
        return
    for i, ch in enumerate(data):
        if ch == "O":
            reason = "O among digits; 0 satisfies the check digit as well"
            corrections.append(Correction(index, start + i, "O", "0", reason))
            line[start + i] = "0"


def _swaps(data: str, digit: str, fixed: set[int]) -> list[tuple[int, str]]:
    """Every single look-alike swap (position, new character) that satisfies the check.

    Positions in `fixed` are left as they are.
    """
    return [
        (position, alike)
        for position, char in enumerate(data)
        if position not in fixed
        for alike in _LOOKALIKE.get(char, "")
        if checkdigit.is_valid(data[:position] + alike + data[position + 1 :], digit)
    ]


def _only_digits_if_unique(data: str, answers: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The one swap after which the field holds no letter, when several would pass."""

    def letters(answer: tuple[int, str]) -> int:
        position, char = answer
        return sum(ch.isalpha() for ch in data[:position] + char + data[position + 1 :])

    if len(answers) < 2:
        return answers
    digits_only = [answer for answer in answers if letters(answer) == 0]
    return digits_only if len(digits_only) == 1 else answers


def _swap(  # noqa: PLR0917 - private helper
    line: list[str],
    index: int,
    start: int,
    data: str,
    answer: tuple[int, str],
    code: str,
    corrections: list[Correction],
) -> None:
    position, char = answer
    reason = f"look-alike swap that satisfies {code}"
    corrections.append(Correction(index, start + position, data[position], char, reason))
    line[start + position] = char


def layouts() -> dict[DocType, Layout]:
    """The layout table this module arbitrates with (for tests)."""
    return LAYOUTS


def protected_positions(hypothesis: Hypothesis) -> frozenset[tuple[int, int]]:
    """(line, column) positions covered by a check digit that passes (data and digit)."""
    return _covered(LAYOUTS[hypothesis.doc_type], hypothesis.failed_checks)


def _covered(layout: Layout, failed_checks: tuple[str, ...]) -> frozenset[tuple[int, int]]:
    covered: set[tuple[int, int]] = set()
    for check in layout.checks:
        if check.code not in failed_checks:
            covered |= _span(layout, check)
    return frozenset(covered)


def _span(layout: Layout, check: CheckSpec) -> set[tuple[int, int]]:
    """(line, column) positions one check digit covers: its data and the digit itself."""
    digit = layout.spec(check.digit)
    if digit is None:
        return set()
    slices = list(check.composite)
    data = layout.spec(check.data) if check.data else None
    if data is not None:
        slices.append((data.line, data.start, data.end))
    slices.append((digit.line, digit.start, digit.end))
    return {(line, col) for line, start, end in slices for col in range(start, end)}


def disagreements(hypothesis: Hypothesis, others: list[Hypothesis]) -> tuple[tuple[int, int], ...]:
    """Positions where another reading of the same zone differs and no check digit decides.

    Names, nationality and sex have no check digit: when two readings differ there, the
    chosen reading is only a guess and must be reviewed. A field protected by a check digit
    is disputed too when the other reading passes the same check with other characters (the
    check digit cannot choose: `XS1234567` and `A51234567` share one). A line the other
    reading had to trim or pad to the layout's length is aligned with the chosen one first,
    as read: a character inserted or dropped shifts everything after it, so only the
    characters read differently count, not the shift.
    """
    protected = protected_positions(hypothesis)
    found: set[tuple[int, int]] = set()
    for other in others:
        if other.doc_type != hypothesis.doc_type:
            continue
        theirs = protected_positions(other)
        for index, mine in enumerate(hypothesis.lines):
            if _fitted(other, index):
                layout = LAYOUTS[hypothesis.doc_type]
                columns = _replaced_columns(mine, other.original[index], layout, index)
                found.update((index, col) for col in columns if (index, col) not in protected)
                continue
            pairs = zip(mine, other.lines[index], strict=True)
            for col, (a, b) in enumerate(pairs):
                if a != b and ((index, col) not in protected or (index, col) in theirs):
                    found.add((index, col))
    return tuple(sorted(found))


def vote(chosen: Hypothesis, readings: list[Hypothesis]) -> Hypothesis:
    """Characters no check digit protects, by weighted majority of the readers.

    `readings` holds one reading per reader (our line reader, each Tesseract model). Where
    they differ from the chosen hypothesis at a name, nationality or sex position, the
    character with the most votes wins; a tie keeps the chosen one. Each reading has one vote
    per character, except a character its reader was sure of (probability `_SURE_VOTE` or
    more, only our line reader gives one), which outweighs two others: the two Tesseract
    models are not independent (one is the other fine-tuned) and share their misreadings of
    blurred name letters. A character read fairly surely (`_FAIRLY_SURE`) breaks a tie, and
    one its reader doubted (`_DOUBT`) counts half; a character its field cannot hold (a digit
    in a name, `_may_stand`) is no vote.
    Every change is a recorded `Correction` naming the votes, so a voted read is never shown
    as a clean one (and the disagreement itself fails `ocr_agreement`).
    """
    protected = protected_positions(chosen)
    lines = [list(line) for line in chosen.lines]
    corrections = list(chosen.corrections)
    same = [reading for reading in readings if reading.doc_type == chosen.doc_type]
    for index, as_chosen in enumerate(chosen.lines):
        mine = as_chosen
        if _fitted(chosen, index):
            mine = _majority_line(index, as_chosen, same, protected, corrections)
        lines[index] = list(mine)
        # Column -> character -> the weight of each reading's vote for it.
        ballots: dict[int, dict[str, list[float]]] = {}
        for reading in same:
            chances = reading.probabilities[index] if reading.probabilities else ()
            for col, (char, at) in _aligned(mine, reading, index).items():
                if (index, col) not in protected and _may_stand(chosen.doc_type, index, col, char):
                    weight = _ballot(chances[at] if at < len(chances) else None)
                    ballots.setdefault(col, {}).setdefault(char, []).append(weight)
        for col, votes in sorted(ballots.items()):
            top = max(votes, key=lambda char: (sum(votes[char]), char == mine[col]))
            if top == mine[col] or sum(votes[top]) <= sum(votes.get(mine[col], [])):
                continue
            ayes = votes[top]
            voters = " and ".join("a sure reading" if w > 1 else "a reading" for w in ayes)
            reason = (
                f"{len(ayes)} of {len(same)} readings read {top} here"
                if len(ayes) * 2 > len(same)
                else f"{voters} of {len(same)} read {top} here, outweighing the rest"
            )
            corrections.append(Correction(index, col, mine[col], top, reason))
            lines[index][col] = top
    if len(corrections) == len(chosen.corrections):
        return chosen
    texts = ["".join(line) for line in lines]
    rescored = _score(LAYOUTS[chosen.doc_type], texts, _reads_of(chosen), corrections)
    return rescored if rescored is not None else chosen


def _may_stand(doc_type: DocType, index: int, col: int, char: str) -> bool:
    """Whether a vote may put `char` at (index, col): a character its field can hold.

    The document code's first letter is set by the layout (`P` for a passport): a reading's
    `B` or `<` there gets no vote, or a tie of two such votes would undo the code's fix. A
    digit in a name or country code, or a letter in a date, gets none either (a reading of a
    blurred name once voted `9PECIMEN`).
    """
    if (index, col) == (0, 0):
        return char in DOCUMENT_LETTERS[doc_type]
    if char == "<":
        return True
    chars = _class_at(LAYOUTS[doc_type], index, col)
    if chars is CharClass.ALPHA:
        return char.isalpha()
    if chars is CharClass.NUMERIC:
        return char.isdigit()
    return True


def _fitted(hypothesis: Hypothesis, index: int) -> bool:
    """Whether line `index` was cut or padded to its length (`_fit_length`)."""
    return any(
        fix.line == index and (not fix.read or not fix.used) for fix in hypothesis.corrections
    )


def _majority_line(
    index: int,
    mine: str,
    readings: list[Hypothesis],
    protected: frozenset[tuple[int, int]],
    corrections: list[Correction],
) -> str:
    """The line most readings read, letter for letter, if it differs from ours only unprotected.

    Used only for a line the chosen reading cut or padded to length (`_fitted`). A line read
    with text of the next field at one end (a card's other side scanned beside it) can be
    cut to length two ways, both with as many edits: the chosen reading may have kept the
    stray letters (`U<TEST<<MILICA<<...` for `TEST<<MILICA<<<...`). The per-column vote
    cannot mend that shift, since every column after it differs; a whole line that the
    majority of readers agree on can. Each changed column is a recorded `Correction`.
    """
    if not readings:
        return mine
    # Readings of the chosen layout: as many lines, each as long as ours.
    top, count = collections.Counter(reading.lines[index] for reading in readings).most_common(1)[0]
    if top == mine or count * 2 <= len(readings):
        return mine
    changed = [col for col, pair in enumerate(zip(mine, top, strict=True)) if pair[0] != pair[1]]
    if any((index, col) in protected for col in changed):
        return mine
    reason = f"{count} of {len(readings)} readings read this line as {top}"
    corrections.extend(Correction(index, col, mine[col], top[col], reason) for col in changed)
    return top


def _reads_of(hypothesis: Hypothesis) -> list[ReadLine]:
    count = len(hypothesis.lines)
    ranks = hypothesis.ranks or (0,) * count
    chances = hypothesis.probabilities or ((),) * count
    return [
        ReadLine(text, confidence, source, rank, probabilities=probabilities)
        for text, confidence, source, rank, probabilities in zip(
            hypothesis.original,
            hypothesis.confidences,
            hypothesis.sources,
            ranks,
            chances,
            strict=True,
        )
    ]


def _ballot(chance: float | None) -> float:
    """A reading's vote for one character, given its reader's probability for it (if any).

    A character its reader doubted (probability below one half: it thought another more
    likely) counts half, so it cannot tie a character another reader read plainly.
    """
    if chance is None:
        return 1.0
    if chance < _DOUBT:
        return _DOUBTED_WEIGHT
    if chance < _FAIRLY_SURE:
        return 1.0
    return _SURE_WEIGHT if chance >= _SURE_VOTE else _FAIRLY_SURE_WEIGHT


def _aligned(mine: str, reading: Hypothesis, index: int) -> dict[int, tuple[str, int]]:
    """Column of `mine` -> the reading's character there and its column as read.

    A line the reading had to trim or pad is aligned as read (difflib); only columns in equal
    or same-length replaced runs are mapped, so an inserted character shifts nothing.
    """
    if not _fitted(reading, index):
        return {col: (char, col) for col, char in enumerate(reading.lines[index])}
    theirs = reading.original[index]
    layout = LAYOUTS[reading.doc_type]
    matcher = difflib.SequenceMatcher(None, mine, theirs, autojunk=False)
    mapped: dict[int, tuple[str, int]] = {}
    for tag, start, end, other_start, other_end in matcher.get_opcodes():
        if tag in {"equal", "replace"} and end - start == other_end - other_start:
            mapped.update(
                (
                    start + k,
                    (_in_class(layout, index, start + k, theirs[other_start + k]), other_start + k),
                )
                for k in range(end - start)
            )
    return mapped


def _replaced_columns(mine: str, theirs: str, layout: Layout, index: int) -> list[int]:
    """Columns of `mine` that `theirs` read as other characters, once the two are aligned.

    Characters only one of them has (inserted or dropped) are not counted, nor a character
    that is the same once put into its field's class (`0` read in a country code is `O`).
    """
    matcher = difflib.SequenceMatcher(None, mine, theirs, autojunk=False)
    return [
        start + k
        for tag, start, end, other, other_end in matcher.get_opcodes()
        if tag == "replace"
        for k in range(end - start)
        if other + k >= other_end
        or _in_class(layout, index, start + k, theirs[other + k]) != mine[start + k]
    ]


def _in_class(layout: Layout, index: int, col: int, char: str) -> str:
    """A character as `_fix_classes` would put it into the class of the field at (index, col)."""
    chars = _class_at(layout, index, col)
    if chars is CharClass.NUMERIC and not char.isdigit():
        return _TO_DIGIT.get(char, char)
    if chars is CharClass.ALPHA and char.isdigit():
        return _TO_LETTER.get(char, char)
    return char


def _class_at(layout: Layout, index: int, col: int) -> CharClass | None:
    """The class of the first field at (index, col), or None outside every field."""
    for spec in (*layout.fields, layout.names):
        if spec.line == index and spec.start <= col < spec.end:
            return spec.chars
    return None
