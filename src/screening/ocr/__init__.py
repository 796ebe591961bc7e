"""Read the MRZ from scans and photos: detection, recognition and arbitration per page.

This adapter is the only part of `screening` that runs OpenCV and Tesseract. For every page
of a document (`screening.images.load_document`) it finds MRZ-like blocks (`detect`), reads
each with Tesseract in a few preprocessing variants and both upright orientations
(`recognise`), and lets the MRZ's own check digits choose between the hypotheses
(`arbitrate`). It stops as soon as one hypothesis passes every check digit with no anomaly, so
clean scans cost one or two Tesseract calls. The result is a frozen `ReadResult` per page with
an MRZ: the text used, the text as read, every correction and its reason, a confidence per
line, where the zone was found (box in page pixels and angle), the model used and the time
taken. A document without an MRZ raises `MrzNotFound` (code `no_mrz_found`), never a guess.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from screening.errors import MrzNotFound, MrzSyntaxError
from screening.images import Limits, load_document
from screening.ocr.arbitrate import (
    Hypothesis,
    ReadLine,
    against_readers,
    arbitrate,
    disagreements,
    protected_positions,
    vote,
)
from screening.ocr.cnn import find_line_reader
from screening.ocr.recognise import Model, OcrTimeout, reading_models, text_height

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    import numpy as np
    import numpy.typing as npt

    from screening.model import Check, Correction, Mrz
    from screening.ocr.cnn import LineReader
    from screening.ocr.detect import Candidate

__all__ = [
    "DEFAULT_OCR_TIMEOUT_S",
    "ReadResult",
    "read_document",
    "read_page",
]

DEFAULT_OCR_TIMEOUT_S = 10.0
# Upper bound of Tesseract calls for one page: candidates x orientations x variants.
_MAX_CALLS = 8
# Shortest OCR line (characters) that may be an MRZ line: 30 minus a few unread fillers.
_MIN_MRZ_LINE = 24
# Ink balance below minus this: read the block upside down first (see `_ink_balance`).
_FLIP_BALANCE = 0.05
_MAX_CANDIDATES = 3
_VARIANTS = ("gray", "sharp", "sharp_strong", "otsu")
# Further readings of a block whose first read is not consistent, in order: the first model's
# other variants interleaved with the second model's (rank 1), as measured on half resolution
# and blur (bench/read.py). The second model's `gray` is also its opinion of a consistent read.
_MORE_READINGS = (("sharp", 0), ("gray", 1), ("sharp_strong", 0), ("sharp", 1), ("otsu", 0))
_SECOND_OPINION = "gray"
# Our own line reader (`screening.ocr.cnn`): its name in results and its rank among readers
# (0 ties with the first Tesseract model, decided by confidence; 1 yields to it).
_LINE_READER = "cnn"
_LINE_READER_RANK = 1
# Below this probability (0-1) a character our line reader read where no check digit helps
# needs another reader's opinion even when the first model read the same.
_SURE = 0.9
# A read whose document code, country codes and sex are all wrong (this many of them) is
# text forced into the MRZ's shape, whatever check digits it happens to pass.
_SHAPELESS = 3
# ...and so is one with this many anomalies of any kind (characters its field cannot hold).
_MISSHAPEN = 6
# Minimum line confidence (0-100) that makes a read with failing check digits still an MRZ.
_CONFIDENT = 75.0
# Tesseract calls for each further search (the diagonals, PassportEye's boxes) when the first
# read is missing or doubtful.
_FALLBACK_CALLS = 4
# Below this line confidence (0-100) a read counts as doubtful even when it is consistent.
_LOW_CONFIDENCE = 30.0
# A failing check is taken as the document's print (`_Block.settled`) once this many readers
# (our line reader and both Tesseract models) have read the block and at least this many
# readings, over half of them, match the read on every character.
_SETTLING_READERS = 3
_SETTLING_READINGS = 3


@dataclass(frozen=True, slots=True)
class ReadResult:
    """The MRZ read from one page, with the evidence for it.

    `text` is the MRZ the engine parsed (after recorded corrections); `original_text` is what
    Tesseract read for the same lines; `corrections` lists every change and why;
    `line_confidences` are Tesseract's mean word confidences (0-100) per line; `box` is
    (x, y, width, height) in page pixels; `angle` is the rotation in degrees that made the
    text upright. `checks` are the MRZ engine's findings for `today`.
    """

    path: str
    page: int
    mrz: Mrz | None
    text: tuple[str, ...]
    original_text: tuple[str, ...]
    line_confidences: tuple[float, ...]
    corrections: tuple[Correction, ...]
    checks: tuple[Check, ...]
    box: tuple[int, int, int, int]
    angle: float
    model: str
    elapsed_ms: float
    ocr_calls: int
    notes: tuple[str, ...] = ()
    error_code: str | None = None

    @property
    def clean(self) -> bool:
        """Read without any correction and every check passes."""
        return not self.corrections and not any(check.failed for check in self.checks)


@dataclass(frozen=True, slots=True)
class _PageRead:
    hypothesis: Hypothesis
    candidate: Candidate
    upside_down: bool
    calls: int
    # Unprotected (line, column) positions where readings differ; None: only one reading.
    disputed: tuple[tuple[int, int], ...] | None = None
    # Models whose readings went into the hypothesis, in the order they were asked.
    models: tuple[str, ...] = ()
    # Every reading of the block the way it was read (for `_standing` across blocks).
    passes: tuple[tuple[ReadLine, ...], ...] = ()
    # Its failing checks are the document's print, not misreads (`_Block.settled`).
    settled: bool = False


def read_document(
    path: Path | str,
    *,
    limits: Limits | None = None,
    ocr_timeout_s: float = DEFAULT_OCR_TIMEOUT_S,
    today: dt.date,
) -> tuple[ReadResult, ...]:
    """One `ReadResult` per page that has an MRZ; `MrzNotFound` when no page has one.

    Raises `ImageUnreadable` (from the loader) for files that cannot be decoded and
    `OcrUnavailable` when Tesseract cannot run.
    """
    path = Path(path)
    document = load_document(path, limits or Limits())
    model, helper = reading_models()
    results: list[ReadResult] = []
    timed_out = False
    for page in document.pages:
        result, page_notes = _read_page(
            page.image,
            path=str(path),
            page=page.index,
            model=model,
            helper=helper,
            ocr_timeout_s=ocr_timeout_s,
            today=today,
            notes=document.notes,
        )
        timed_out = timed_out or "ocr_timeout" in page_notes
        if result is not None:
            results.append(result)
    if not results:
        pages = len(document.pages)
        searched = f"{pages} page{'s' if pages != 1 else ''} searched"
        if timed_out:
            # Not evidence that the document has no MRZ: the reading was cut short.
            raise MrzNotFound(
                f"No MRZ could be read in {path.name} ({searched}): OCR calls hit the time "
                f"limit of {ocr_timeout_s:g} s. Try again with a longer limit (--ocr-timeout, "
                "setting ocr_timeout_s) or on a less loaded machine, or enter the MRZ text "
                "by hand.",
                code="ocr_timeout",
            )
        raise MrzNotFound(
            f"No MRZ found in {path.name} ({searched}); "
            "check that the MRZ is visible and in focus, or enter the MRZ text by hand."
        )
    return tuple(results)


def read_page(
    image: npt.NDArray[np.uint8],
    *,
    path: str = "",
    page: int = 0,
    model: Model | None = None,
    helper: Model | None = None,
    ocr_timeout_s: float = DEFAULT_OCR_TIMEOUT_S,
    today: dt.date,
    notes: tuple[str, ...] = (),
) -> ReadResult | None:
    """Read the MRZ of one BGR page image; None when the page has none.

    `model` reads first; `helper` gives the second reading that cross-checks a consistent
    read, and reads more when `model`'s reads are not consistent. Both default to
    `reading_models()`.
    """
    result, _ = _read_page(
        image,
        path=path,
        page=page,
        model=model,
        helper=helper,
        ocr_timeout_s=ocr_timeout_s,
        today=today,
        notes=notes,
    )
    return result


def _read_page(
    image: npt.NDArray[np.uint8],
    *,
    path: str,
    page: int,
    model: Model | None,
    helper: Model | None,
    ocr_timeout_s: float,
    today: dt.date,
    notes: tuple[str, ...],
) -> tuple[ReadResult | None, tuple[str, ...]]:
    """`read_page`, with the notes of the reading even when it found nothing."""
    from screening.ocr.detect import PageSearch, passporteye_candidates  # noqa: PLC0415

    started = time.perf_counter()
    if model is None:
        model, helper = reading_models()
    models = (model, helper)
    # What happened while reading (`ocr_timeout`), whichever read wins.
    events: list[str] = []
    search = PageSearch(image)
    first = search.candidates()
    # The search along the page's axes, with its budget of calls. When it finds a doubtful
    # block or none: a second look (the diagonals for a photo taken at a slant, blocks tilted
    # by the print beside them), then the page with its light evened out (a reflection over
    # part of the zone), then PassportEye's boxes, each with its own budget of calls; the
    # stronger read is kept (ties keep the earlier one).
    searches: list[tuple[Callable[[], tuple[Candidate, ...]], int]] = [
        (lambda: first, _MAX_CALLS),
        (partial(search.candidates, second_look=True), _FALLBACK_CALLS),
        (search.evened, _FALLBACK_CALLS),
        (partial(passporteye_candidates, image), _FALLBACK_CALLS),
    ]
    if not any(_zone_shaped(candidate) for candidate in first):
        # Nothing along the axes is shaped like a zone: a page turned far from its axes (53
        # of the 54 specimens at 30 degrees; straight, rotated or blurred, only a page with
        # no zone), whose other print would spend calls before the second look finds the
        # zone. The second look goes first.
        searches[0], searches[1] = searches[1], searches[0]
    found: _PageRead | None = None
    calls = 0
    for index, (candidates, budget) in enumerate(searches):
        if index and found is not None and (found.settled or _weakness(found.hypothesis) < 1):
            break
        read, used = _best_read(_ranked(candidates()), models, ocr_timeout_s, budget, events)
        calls += used
        found = _stronger(found, read)
    if found is None:
        return None, tuple(dict.fromkeys(events))
    if found.candidate.finder == "passporteye":
        events.append("found_by_passporteye")
    events = list(dict.fromkeys([*notes, *events]))
    # Every Tesseract call counts, those spent on blocks that gave no read too.
    read = dataclasses.replace(found, calls=calls)
    return _result(read, path, page, model, today, started, tuple(events)), tuple(events)


def _stronger(found: _PageRead | None, second: _PageRead | None) -> _PageRead | None:
    """The stronger of two reads of one page (`_standing`); a tie keeps `found`."""
    if second is None or found is None:
        return found or second
    passes = (*found.passes, *second.passes)
    return second if _standing(second, passes) < _standing(found, passes) else found


def _weakness(hypothesis: Hypothesis) -> float:
    """How doubtful a read is: 0 for a consistent, confident read without corrections.

    One per failing check, doubted character or anomaly, a half per correction, one when a
    line was read with low confidence (a consistent read of texture forced into MRZ shape
    reads as `0.3`).
    """
    low = min(hypothesis.confidences, default=0.0) < _LOW_CONFIDENCE
    return (
        len(hypothesis.failed_checks)
        + hypothesis.doubts
        + hypothesis.unproven
        + len(hypothesis.anomalies)
        + 0.5 * len(hypothesis.corrections)
        + (1.0 if low else 0.0)
    )


def _standing(read: _PageRead, passes: tuple[tuple[ReadLine, ...], ...]) -> tuple[int, int, float]:
    """Order between two reads of a page: fewer failing checks first, then `_weakness`.

    A check digit that fails is evidence of a misread; corrections (a vote on a name letter,
    a filler restored) are evidence of work done, so three recorded corrections never make a
    read whose check digits all pass lose to one whose composite fails. A check that passes
    only with a character every reader of both blocks (`passes`) saw otherwise counts as
    failing, and the read with fewer such characters wins a tie (`against_readers`): a
    PassportEye box read one column off must not "pass" a check the document fails.
    """
    unproven, overruled = against_readers(read.hypothesis, passes)
    rescored = dataclasses.replace(read.hypothesis, unproven=unproven)
    return rescored.suspect, overruled, _weakness(read.hypothesis)


def _ranked(candidates: tuple[Candidate, ...]) -> tuple[Candidate, ...]:
    """Blocks shaped like a zone first (`_zone_shaped`), then the others; each by score."""
    ordered = sorted(
        candidates, key=lambda candidate: (not _zone_shaped(candidate), -candidate.score)
    )
    return tuple(ordered[:_MAX_CANDIDATES])


def _zone_shaped(candidate: Candidate) -> bool:
    """Whether a block is 18 to 75 glyph heights wide, as a zone is.

    An MRZ line is 30 to 44 glyphs, each about as wide as it is high.
    """
    ratio = candidate.crop.shape[1] / max(text_height(candidate.crop), 1.0)
    return bool(18 <= ratio <= 75)


def _best_read(
    candidates: tuple[Candidate, ...],
    models: tuple[Model, Model | None],
    timeout_s: float,
    max_calls: int,
    notes: list[str],
) -> tuple[_PageRead | None, int]:
    """Read candidates in order until one gives a consistent MRZ; else the best plausible.

    Also returns the Tesseract calls spent, a read or not; events go to `notes`.
    """
    best: _PageRead | None = None
    calls = 0
    seen: dict[int, tuple[bool, list[ReadLine]]] = {}
    for candidate in _looked_over(candidates, seen):
        if calls >= max_calls:
            break
        read, used = _read_candidate(
            candidate, models, timeout_s, max_calls - calls, notes, seen.get(id(candidate))
        )
        calls += used
        if read is not None and (best is None or read.hypothesis.key < best.hypothesis.key):
            best = read
        if best is not None and (best.hypothesis.consistent or best.settled):
            break
    if best is None:
        return None, calls
    return dataclasses.replace(best, calls=calls), calls


def _read_candidate(  # noqa: PLR0917 - private helper with one caller
    candidate: Candidate,
    models: tuple[Model, Model | None],
    timeout_s: float,
    budget: int,
    notes: list[str],
    seen: tuple[bool, list[ReadLine]] | None = None,
) -> tuple[_PageRead | None, int]:
    """Read one block: upright first, upside down when that reads badly, then more variants.

    Our own line reader (`cnn`, no Tesseract call) reads each way before the first model, so
    every hypothesis can take lines from either. A consistent read is cross-checked: when the
    line reader and the first model agree on every unprotected character, and the line
    reader is sure of each, that is the second reading; otherwise the second model reads too
    and the readers vote (`vote`). When no read is consistent yet, the first model's other
    variants are interleaved with the second model's readings.
    """
    block = _Block(candidate, models, timeout_s, budget, notes)
    if seen is not None:
        block.seen[seen[0]] = seen[1]
    # Try first the way the ink says (`_looked_over` may have asked already).
    likely = seen[0] if seen is not None else _upside_down_first(candidate.crop)
    block.look(likely)
    first = block.run(likely, _VARIANTS[0])
    if first is not None and first.consistent:
        return block.finish(first, likely), block.calls
    if first is None or len(first.failed_checks) * 2 >= max(first.checks_run, 1):
        block.look(not likely)
        other = block.run(not likely, _VARIANTS[0])
        if other is not None and other.consistent:
            return block.finish(other, not likely), block.calls
    right, flipped = block.best[False], block.best[True]
    if right is not None or flipped is not None:
        upside = flipped is not None and (right is None or flipped.key < right.key)
    else:
        # Neither way reads as an MRZ yet (blur, low resolution): go on with the way that
        # gave more long confident lines, or give up when neither gave any.
        weights = {flip: _long_line_weight(block.passes[flip]) for flip in (False, True)}
        if max(weights.values()) <= 0:
            return None, block.calls
        upside = weights[True] > weights[False]
    for variant, rank in _MORE_READINGS:
        reader = models[rank]
        if block.calls >= budget:
            break
        if reader is None or (rank and block.best[upside] is None):
            # The second model only competes with a read: when the first model saw no MRZ
            # in this block yet, its calls are better spent elsewhere.
            continue
        hypothesis = block.run(upside, variant, reader)
        if (hypothesis is not None and hypothesis.consistent) or block.settled(upside):
            break
    final = block.best[upside]
    if final is None:
        return None, block.calls
    return block.finish(final, upside), block.calls


class _Block:
    """The readings of one candidate block, each way up, and the best hypothesis so far."""

    def __init__(
        self,
        candidate: Candidate,
        models: tuple[Model, Model | None],
        timeout_s: float,
        budget: int,
        notes: list[str],
    ) -> None:
        import numpy as np  # noqa: PLC0415

        self.candidate = candidate
        self.model, self.helper = models
        self.timeout_s = timeout_s
        self.budget = budget
        self.notes = notes
        self.line_reader = find_line_reader()
        # Our line reader's lines already read each way (`_looked_over`), to reuse.
        self.seen: dict[bool, list[ReadLine]] = {}
        self.height = text_height(candidate.crop)
        flipped = np.ascontiguousarray(candidate.crop[::-1, ::-1])
        self.crops = {False: candidate.crop, True: flipped}
        self.passes: dict[bool, list[list[ReadLine]]] = {False: [], True: []}
        # Per pass: the reader's name, and the pass arbitrated alone.
        self.readers: dict[bool, list[str]] = {False: [], True: []}
        self.singles: dict[bool, list[Hypothesis | None]] = {False: [], True: []}
        self.best: dict[bool, Hypothesis | None] = {False: None, True: None}
        # The first model's variants read, and every reader asked, each way.
        self.used: dict[bool, list[str]] = {False: [], True: []}
        self.asked: dict[bool, list[str]] = {False: [], True: []}
        self.calls = 0

    def add(self, flip: bool, reader: str, lines: list[ReadLine]) -> Hypothesis | None:
        """Take one pass's lines and re-arbitrate everything read this way."""
        self.passes[flip].append(lines)
        self.readers[flip].append(reader)
        self.singles[flip].append(arbitrate([lines]))
        if reader not in self.asked[flip]:
            self.asked[flip].append(reader)
        self.best[flip] = _plausible(arbitrate(self.passes[flip]))
        return self.best[flip]

    def look(self, flip: bool) -> Hypothesis | None:
        """Our line reader's reading of the block (no Tesseract call), once per way."""
        if self.line_reader is None or _LINE_READER in self.readers[flip]:
            return self.best[flip]
        lines = self.seen.get(flip)
        if lines is None:
            lines = _line_reading(self.line_reader, self.crops[flip], flip)
        return self.add(flip, _LINE_READER, lines)

    def run(self, flip: bool, variant: str, reader: Model | None = None) -> Hypothesis | None:
        """One Tesseract call: `reader` (default the first model) on a preprocessing variant."""
        from screening.ocr.recognise import prepare, run_tesseract, scale_of  # noqa: PLC0415

        reader = reader or self.model
        self.calls += 1
        if reader is self.model:
            self.used[flip].append(variant)
        crop = self.crops[flip]
        try:
            image = prepare(crop, self.height, variant)
            lines = run_tesseract(image, reader, timeout_s=self.timeout_s)
        except OcrTimeout:
            self.notes.append("ocr_timeout")
            return self.best[flip]
        rank = 0 if reader is self.model else 1
        tag = f"{'180' if flip else '0'}/{reader.name + ':' if rank else ''}{variant}"
        factor, pad = scale_of(crop.shape[1], self.height, variant)
        rows = max(crop.shape[0], 1)
        read = [
            ReadLine(
                line.text,
                line.confidence,
                tag,
                rank,
                (line.top + line.height / 2 - pad) / factor / rows,
                reader=reader.name,
            )
            for line in lines
        ]
        return self.add(flip, reader.name, read)

    def readings(self, flip: bool) -> dict[str, Hypothesis]:
        """Each reader's own best reading (its passes arbitrated alone)."""
        out: dict[str, Hypothesis] = {}
        for name, single in zip(self.readers[flip], self.singles[flip], strict=True):
            if single is not None and (name not in out or single.key < out[name].key):
                out[name] = single
        return out

    def settled(self, flip: bool) -> bool:
        """Whether the best read's failing checks are the document's print, not misreads.

        They are when the read's only faults are failing checks and characters their field
        cannot hold (no correction, no doubted or unproven character), our line reader and
        both Tesseract models have read the block, and at least three readings, over half of
        all, match the read on every character: further variants and blocks read the same
        print again. A document printed with a wrong check digit (a forgery signal) then
        costs 4 or 5 Tesseract calls instead of the page's whole budget, 16 to 21.
        """
        best = self.best[flip]
        if best is None or not best.failed_checks or best.doubts or best.unproven:
            return False
        if best.corrections:
            return False
        if len(set(self.readers[flip])) < _SETTLING_READERS:
            return False
        alike = sum(
            single is not None and single.lines == best.lines for single in self.singles[flip]
        )
        return alike >= _SETTLING_READINGS and 2 * alike > len(self.singles[flip])

    def needs_second_opinion(self, chosen: Hypothesis, flip: bool) -> bool:
        """Whether the read needs another reader's opinion before it is trusted.

        It does when only one reader has read this way, when the readers disagree where no
        check digit decides, or when our line reader was unsure of a character no check
        digit protects.
        """
        others = self.readings(flip)
        if len(others) < 2 or disagreements(chosen, list(others.values())):
            return True
        if _LINE_READER not in others:
            return False
        protected = protected_positions(chosen)
        mine = [
            line
            for lines, name in zip(self.passes[flip], self.readers[flip], strict=True)
            if name == _LINE_READER
            for line in lines
        ]
        for index, text in enumerate(chosen.lines):
            same = [line for line in mine if line.text == text]
            if not same or any(
                chance < _SURE
                for col, chance in enumerate(same[0].probabilities)
                if (index, col) not in protected
            ):
                return True
        return False

    def finish(self, chosen: Hypothesis, flip: bool) -> _PageRead:
        """Cross-check the fields no check digit protects against other readings."""
        if self.calls < self.budget and self.needs_second_opinion(chosen, flip):
            again = None
            if self.helper is not None and self.helper.name not in self.asked[flip]:
                again = self.run(flip, _SECOND_OPINION, self.helper)
            elif self.helper is None and len(self.used[flip]) < len(_VARIANTS):
                again = self.run(flip, next(v for v in _VARIANTS if v not in self.used[flip]))
            if again is not None and again.key < chosen.key:
                chosen = again
        voted = vote(chosen, list(self.readings(flip).values()))
        if voted is not chosen:
            # The vote rescored the read without the readers' agreement: count again the
            # checks that pass only against what every reader saw (`_weakness` weighs them).
            unproven, overruled = against_readers(voted, self.passes[flip])
            chosen = dataclasses.replace(voted, unproven=unproven, overruled=overruled)
        singles = [single for single in self.singles[flip] if single is not None]
        disputed = disagreements(chosen, singles) if len(singles) > 1 else None
        return _PageRead(
            chosen,
            self.candidate,
            flip,
            self.calls,
            disputed,
            tuple(self.asked[flip]),
            tuple(tuple(lines) for lines in self.passes[flip]),
            settled=chosen is self.best[flip] and self.settled(flip),
        )


def _looked_over(
    candidates: tuple[Candidate, ...], seen: dict[int, tuple[bool, list[ReadLine]]]
) -> tuple[Candidate, ...]:
    """The candidates in order, but a block our line reader reads as an MRZ goes first.

    Only when the first block does not read as a consistent MRZ to our line reader alone and
    a later one does is that one moved to the front. The line reader costs no Tesseract call
    (milliseconds a line), while the page's budget of Tesseract calls can be spent on a busy
    first block (a card's whole back, its text and portrait) before the zone beside it is
    reached. Each block's lines, read the way its ink suggests, are kept in `seen` (by the
    candidate's id) for `_Block.look`, so the block is not read twice.
    """
    import numpy as np  # noqa: PLC0415

    reader = find_line_reader()
    if reader is None or len(candidates) < 2:
        return candidates

    def consistent(candidate: Candidate) -> bool:
        flip = _upside_down_first(candidate.crop)
        crop = np.ascontiguousarray(candidate.crop[::-1, ::-1]) if flip else candidate.crop
        lines = _line_reading(reader, crop, flip)
        seen[id(candidate)] = (flip, lines)
        hypothesis = _plausible(arbitrate([lines]))
        return hypothesis is not None and hypothesis.consistent

    if consistent(candidates[0]):
        return candidates
    first = next((c for c in candidates[1:] if consistent(c)), None)
    if first is None:
        return candidates
    return (first, *(c for c in candidates if c is not first))


def _line_reading(reader: LineReader, crop: npt.NDArray[np.uint8], flip: bool) -> list[ReadLine]:
    """Our line reader's lines of one block (`crop`, already turned when `flip`)."""
    tag = f"{'180' if flip else '0'}/{_LINE_READER}"
    return [
        ReadLine(
            line.text,
            line.confidence,
            tag,
            _LINE_READER_RANK,
            line.row,
            line.probabilities,
            _LINE_READER,
        )
        for line in reader.read_block(crop)
    ]


def _upside_down_first(crop: npt.NDArray[np.uint8]) -> bool:
    """Whether to read a block upside down first (more ink on the right than on the left).

    Fillers (`<`, little ink) end MRZ lines on the right.
    """
    return _ink_balance(crop) < -_FLIP_BALANCE


def _ink_balance(crop: npt.NDArray[np.uint8]) -> float:
    """(left ink - right ink) / all ink of a horizontal crop, from -1 to 1.

    Upright MRZ lines end in filler runs, so the left half usually carries more ink; on the
    developers' set a balance below -0.05 meant upside down in 39 of 54 turned scans and in
    6 of 54 upright ones, so it only orders the two tries.
    """
    import cv2  # noqa: PLC0415

    _, ink = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    half = ink.shape[1] // 2
    left, right = int(ink[:, :half].sum()), int(ink[:, half:].sum())
    return (left - right) / max(left + right, 1)


def _long_line_weight(passes: list[list[ReadLine]]) -> float:
    """Characters times confidence of the MRZ-long lines read so far (orientation evidence)."""
    return sum(
        len(line.text) * line.confidence
        for lines in passes
        for line in lines
        if len(line.text) >= _MIN_MRZ_LINE
    )


def _plausible(hypothesis: Hypothesis | None) -> Hypothesis | None:
    """Keep a hypothesis only when it looks like a real MRZ, not text forced into the shape.

    Either half of its check digits pass (a random line passes each with p = 0.1), or every
    field has its shape (document code, known country codes, digits in dates, a sex letter:
    a specimen printed with wrong check digits, or a forgery), or Tesseract is confident of
    what it read. Text read upside down or from a photo's texture breaks the shape and is
    read with low confidence. A read whose document code, country codes and sex letter are
    all wrong is never kept, whatever check digits its many repairs made pass, nor one with
    six or more anomalies of any kind (`_MISSHAPEN`: characters their field cannot hold, a
    wrong code, country or sex; a card's print read upside down and forced into a visa's
    shape passed every check after 17 changes, with 9 characters no field could hold).
    """
    if hypothesis is None:
        return None
    shape = [
        code for code in hypothesis.anomalies if code.startswith(("code:", "country:", "sex:"))
    ]
    if len(shape) >= _SHAPELESS or len(hypothesis.anomalies) >= _MISSHAPEN:
        return None
    passed = hypothesis.checks_run - len(hypothesis.failed_checks)
    confidence = min(hypothesis.confidences, default=0.0)
    if passed * 2 < hypothesis.checks_run and hypothesis.anomalies and confidence < _CONFIDENT:
        return None
    return hypothesis


def _result(  # noqa: PLR0917 - private helper with one caller
    found: _PageRead,
    path: str,
    page: int,
    model: Model,
    today: dt.date,
    started: float,
    notes: tuple[str, ...],
) -> ReadResult:
    from screening.mrz.parse import parse_mrz  # noqa: PLC0415

    hypothesis = found.hypothesis
    all_notes = list(notes)
    if model.note:
        all_notes.append(model.note)
    mrz: Mrz | None = None
    checks: tuple[Check, ...] = ()
    error_code: str | None = None
    try:
        parsed = parse_mrz("\n".join(hypothesis.lines))
    except MrzSyntaxError as error:
        error_code = error.code
    else:
        mrz = dataclasses.replace(
            parsed, original_lines=hypothesis.original, corrections=hypothesis.corrections
        )
        checks = (*_validate(mrz, today), *_agreement(found.disputed))
    angle = (found.candidate.angle + (180.0 if found.upside_down else 0.0)) % 360.0
    return ReadResult(
        path=path,
        page=page,
        mrz=mrz,
        text=hypothesis.lines,
        original_text=hypothesis.original,
        line_confidences=tuple(round(value, 1) for value in hypothesis.confidences),
        corrections=hypothesis.corrections,
        checks=checks,
        box=found.candidate.box,
        angle=round(angle, 1),
        model="+".join(found.models) or model.name,
        elapsed_ms=round((time.perf_counter() - started) * 1000, 1),
        ocr_calls=found.calls,
        notes=tuple(all_notes),
        error_code=error_code,
    )


def _agreement(disputed: tuple[tuple[int, int], ...] | None) -> tuple[Check, ...]:
    """A failing `ocr_agreement` check when two readings differ where no check digit helps."""
    from screening.model import Check, CheckStatus, Span  # noqa: PLC0415

    if disputed is None:
        return (
            Check(
                "ocr_agreement",
                CheckStatus.NOT_APPLICABLE,
                "Only one OCR reading was made; fields without a check digit are unverified.",
            ),
        )
    if not disputed:
        return (
            Check(
                "ocr_agreement",
                CheckStatus.PASS,
                "Two OCR readings agree on every field that has no check digit.",
            ),
        )
    where = ", ".join(Span(line, col, col + 1).describe() for line, col in disputed[:8])
    more = f" and {len(disputed) - 8} more" if len(disputed) > 8 else ""
    return (
        Check(
            "ocr_agreement",
            CheckStatus.FAIL,
            f"Two OCR readings differ at {len(disputed)} position(s) that no check digit "
            f"protects ({where}{more}); compare them with the document.",
            expected="0",
            found=str(len(disputed)),
            span=Span(disputed[0][0], disputed[0][1], disputed[0][1] + 1),
        ),
    )


def _validate(mrz: Mrz, today: dt.date) -> tuple[Check, ...]:
    try:
        from screening.mrz.validate import validate_mrz  # noqa: PLC0415
    except ImportError:  # the MRZ engine's validator has not landed yet
        return ()
    return tuple(validate_mrz(mrz, today))
