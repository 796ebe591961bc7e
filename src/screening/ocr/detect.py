"""Find machine-readable zones in a page image with OpenCV morphology (no OCR, no skimage).

The MRZ is the densest block of uniform dark glyphs on a document: two or three lines of 30 to
44 OCR-B characters spanning most of its width. We look for it the way a person squints: the
page is scaled to a fixed working size, a black-hat transform keeps small dark glyphs on a
lighter ground, a horizontal gradient and closings merge each text line and then the lines
into blocks, and every block's minimum-area rectangle gives its position and skew. The search
runs on the page and on the page turned by 90 degrees, so horizontal, vertical and skewed
zones (up to about 25 degrees) are all found; on request (`second_look`) the same search runs
on the page turned 45 degrees, which finds zones at any angle in between, and blocks whose
angle the print beside them tilted are levelled by their row profile; and on request
(`evened`) it runs on the page with its light evened out, for a reflection over part of the
zone. The remaining
180-degree ambiguity is left to the recogniser, which reads both ways and lets the check
digits decide. Each candidate is returned as a deskewed grey crop at the page's own
resolution, with its box in page pixels.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, cast

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy as np
    import numpy.typing as npt

__all__ = ["Candidate", "PageSearch", "find_candidates", "passporteye_candidates"]

_Rect = tuple[tuple[float, float], tuple[float, float], float]

# Working size of the longer side for detection: large enough for 4-pixel glyphs on a small
# scan after upscaling, small enough that the morphology takes a few milliseconds.
_WORK_SIZE = 1000
_MAX_CANDIDATES = 4
# The page is turned this many degrees for the search of zones far from its axes.
_DIAGONAL = 45.0
# Evening out the light (`_evened`): each pixel is stretched between the darkest and the
# lightest grey within this fraction of the page's longer side (two or three glyphs of a
# zone that spans the page), and a stretch is never steeper than to this span of greys
# (a reflection that leaves a third of the print's contrast is undone; blank paper's grain
# is not made into print).
_EVEN_WINDOW = 0.04
_EVEN_MIN_SPAN = 56.0
# A block's contrast is uneven (glare on part of it) when its strongest strip of columns
# has this many times the contrast of its weakest.
_UNEVEN = 1.6


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible MRZ block.

    `crop` is the deskewed grey block at page resolution (text horizontal, maybe upside down);
    `box` is the axis-aligned bounding box (x, y, w, h) of the rotated block in page pixels;
    `angle` is the rotation in degrees (counter-clockwise) that made the text horizontal;
    `score` ranks candidates (higher is more MRZ-like); `finder` names the search that
    proposed the block (`ours`, or `passporteye` for PassportEye's locator).
    """

    crop: npt.NDArray[np.uint8]
    box: tuple[int, int, int, int]
    angle: float
    score: float
    finder: str = "ours"


def find_candidates(
    bgr: npt.NDArray[np.uint8], *, second_look: bool = False
) -> tuple[Candidate, ...]:
    """Candidate MRZ blocks of one page, best first (`PageSearch.candidates`)."""
    return PageSearch(bgr).candidates(second_look=second_look)


class PageSearch:
    """The detector's searches of one page; each search runs once, however often it is asked.

    The reader asks for the first search's candidates and, when they read badly, for the
    second look's, which needs the first search's blocks again.
    """

    def __init__(self, bgr: npt.NDArray[np.uint8]) -> None:
        """Grey the page and scale it to the working size (nothing to search below 16 px)."""
        import cv2  # noqa: PLC0415 - heavy import kept off the CLI start-up path

        gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY) if bgr.ndim == 3 else bgr
        self.gray = cast("npt.NDArray[np.uint8]", gray)
        height, width = gray.shape[:2]
        self.scale = _WORK_SIZE / max(height, width, 1)
        self.small: npt.NDArray[np.uint8] | None = None
        if min(height, width) >= 16:
            interp = cv2.INTER_AREA if self.scale < 1 else cv2.INTER_CUBIC
            self.small = cast(
                "npt.NDArray[np.uint8]",
                cv2.resize(gray, None, fx=self.scale, fy=self.scale, interpolation=interp),
            )
        self._found: dict[float, list[tuple[float, _Rect]]] = {}
        self._evened_found: list[tuple[float, _Rect]] | None = None

    def _rects(self, degrees: float) -> list[tuple[float, _Rect]]:
        """(score, rectangle in the working image) of the search on the page turned `degrees`."""
        if self.small is None:
            return []
        if degrees not in self._found:
            self._found[degrees] = _search(self.small, degrees)
        return self._found[degrees]

    def candidates(self, *, second_look: bool = False) -> tuple[Candidate, ...]:
        """Candidate MRZ blocks of the page, best first (empty when nothing looks like one).

        The search covers zones within about 25 degrees of the page's axes. The
        `second_look` gives what that search missed: blocks found on the page turned by 45
        degrees (about 20 to 70 degrees either way: a phone photo taken at a slant), and
        blocks of the first search whose angle text beside the zone had tilted
        (`_level_turn`), each levelled; blocks the first search gave as they are are left
        out. The reader asks for it only when the first search read nothing sound, so
        straight scans do not pay for it.
        """
        # (score, rectangle in `small`, found on the page turned 45 degrees)
        found = [(score, rect, False) for score, rect in self._rects(0.0)]
        if second_look:
            found += [(score, rect, True) for score, rect in self._rects(_DIAGONAL)]
        found.sort(key=lambda item: -item[0])
        candidates: list[Candidate] = []
        for score, rect, diagonal in found:
            if len(candidates) >= _MAX_CANDIDATES:
                break
            page_rect = self._on_page(rect)
            if any(_overlaps(page_rect, other) for other in candidates):
                continue
            crop, angle, box = _extract(self.gray, page_rect)
            if crop.size == 0:
                continue
            if second_look:
                turn = _level_turn(crop)
                if not diagonal and not turn:
                    continue  # the first search gave this block as it is
                if turn:
                    page_rect = (page_rect[0], page_rect[1], page_rect[2] + turn)
                    crop, angle, box = _extract(self.gray, page_rect)
            candidates += self._with_text_run(crop, box, angle, score, page_rect)
        return tuple(candidates)

    def evened(self) -> tuple[Candidate, ...]:
        """Candidate blocks found on the page with its light evened out (`_evened`), best first.

        A reflection on the laminate over part of the zone leaves its print there too faint
        for the first search, which then finds one line, or the zone glued to the print
        beside it, or nothing. Each block is cut from the page and its light evened out; a
        block the first search gave the same is left out unless its contrast is uneven
        (`_uneven`), as it is under a reflection.
        """
        if self.small is None:
            return ()
        if self._evened_found is None:
            self._evened_found = _search(_evened(self.small, _EVEN_WINDOW * _WORK_SIZE), 0.0)
        window = _EVEN_WINDOW * _WORK_SIZE / self.scale  # the same window, in page pixels
        first = [rect for _, rect in self._rects(0.0)]
        candidates: list[Candidate] = []
        for score, rect in sorted(self._evened_found, key=lambda item: -item[0]):
            if len(candidates) >= _MAX_CANDIDATES:
                break
            page_rect = self._on_page(rect)
            if any(_overlaps(page_rect, other) for other in candidates):
                continue
            crop, angle, box = _extract(self.gray, page_rect)
            if crop.size == 0:
                continue
            if not _uneven(crop) and any(_same_block(rect, other) for other in first):
                continue  # the first search gave this block, and no light to even out
            candidates += self._with_text_run(
                _evened(crop, window), box, angle, score, page_rect, window
            )
        return tuple(candidates)

    def _on_page(self, rect: _Rect) -> _Rect:
        """A rectangle of the working image in page pixels."""
        (cx, cy), (width, height), angle = rect
        scale = self.scale
        return (cx / scale, cy / scale), (width / scale, height / scale), angle

    def _with_text_run(  # noqa: PLR0917 - private helper, two callers
        self,
        crop: npt.NDArray[np.uint8],
        box: tuple[int, int, int, int],
        angle: float,
        score: float,
        page_rect: _Rect,
        evened: float = 0.0,
    ) -> list[Candidate]:
        """The block as a candidate, after its zone's own run of text when it has one.

        Text beside the zone (a card's signature, its other side) can go into a block: the
        zone's own run of text (`_text_run`) is tried first, the whole block next. With
        `evened`, the run is cut with its light evened out over that window too.
        """
        found = [Candidate(crop=crop, box=box, angle=angle, score=score)]
        narrower = _text_run(crop, page_rect)
        if narrower is not None:
            inner, _, inner_box = _extract(self.gray, narrower)
            if evened:
                inner = _evened(inner, evened)
            found.insert(0, Candidate(crop=inner, box=inner_box, angle=angle, score=score))
        return found


def _evened(gray: npt.NDArray[np.uint8], window: float) -> npt.NDArray[np.uint8]:
    """The grey image with its light evened out: print dark and paper light everywhere.

    Each pixel is stretched between the darkest and the lightest grey around it (a square
    `window` pixels wide, each bound smoothed over the same window), never more steeply than
    to `_EVEN_MIN_SPAN` greys. A reflection lifts print and paper alike towards white;
    stretched, the print under it is as dark again as the rest of the zone.
    """
    import cv2  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    size = _odd(window)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))
    light = cv2.blur(cv2.dilate(gray, kernel), (size, size)).astype(np.float32)
    dark = cv2.blur(cv2.erode(gray, kernel), (size, size)).astype(np.float32)
    span = np.maximum(light - dark, _EVEN_MIN_SPAN)
    stretched = (gray.astype(np.float32) - dark) * (255.0 / span)
    return cast("npt.NDArray[np.uint8]", np.clip(stretched, 0, 255).astype(np.uint8))


def _uneven(crop: npt.NDArray[np.uint8]) -> bool:
    """Whether a block's contrast changes along it (glare over part of it).

    The middle 80% of the columns are cut into six strips; the contrast of each is the span
    between its 5th and 95th percentile of grey.
    """
    import numpy as np  # noqa: PLC0415

    width = crop.shape[1]
    edges = np.linspace(0.1 * width, 0.9 * width, 7).round().astype(int)
    spans = [
        float(np.subtract(*np.percentile(crop[:, a:b], [95, 5])))
        for a, b in itertools.pairwise(edges)
        if b > a
    ]
    if len(spans) < 2:
        return False
    return max(spans) > _UNEVEN * max(min(spans), 1.0)


def _same_block(rect: _Rect, other: _Rect) -> bool:
    """Whether two rectangles found in the working image are the same block."""
    (cx, cy), (w, h), angle = rect
    (ox, oy), (ow, oh), other_angle = other
    return (
        abs(cx - ox) <= 0.05 * max(w, ow)
        and abs(cy - oy) <= 0.25 * max(h, oh)
        and abs(w - ow) <= 0.1 * max(w, ow)
        and abs(h - oh) <= 0.2 * max(h, oh)
        and abs(angle - other_angle) <= 2.0
    )


# A run of text columns at least this many glyph heights wide is a whole MRZ line (a TD1
# line is about 30 heights of OCR-B, a TD3 line 44); a gap of more than this many glyph
# heights between two runs is not a gap between characters (OCR-B's pitch is about one).
_MIN_RUN = 24.0
_MIN_GAP = 1.5


def _text_run(
    crop: npt.NDArray[np.uint8], rect: tuple[tuple[float, float], tuple[float, float], float]
) -> tuple[tuple[float, float], tuple[float, float], float] | None:
    """The block's rectangle narrowed to its widest run of text, when other text is beside it.

    Columns are inked or not over the crop's text rows only; runs are split by gaps wider
    than `_MIN_GAP` glyph heights. None unless the widest run is as wide as an MRZ line and
    half the block, has two lines or more, and leaves out a good part of the block's text
    (more than a speck at its edge).
    """
    import numpy as np  # noqa: PLC0415

    from screening.ocr.recognise import row_height, text_rows  # noqa: PLC0415

    ink, text = text_rows(crop)
    if text is None:
        return None
    height = row_height(text, crop.shape[0])
    inked = np.flatnonzero(ink[text].sum(axis=0))
    if inked.size == 0:
        return None
    breaks = np.flatnonzero(np.diff(inked) - 1 > _MIN_GAP * height)
    starts = np.concatenate([[inked[0]], inked[breaks + 1]])
    ends = np.concatenate([inked[breaks], [inked[-1]]])
    if len(starts) < 2:
        return None
    widest = int(np.argmax(ends - starts))
    left, right = float(starts[widest]), float(ends[widest] + 1)
    if right - left < max(_MIN_RUN * height, crop.shape[1] / 2):
        return None
    # A speck at the block's edge is no text beside the zone: the block stays as it is.
    if right - left > 0.85 * (ends[-1] + 1 - starts[0]):
        return None
    # An MRZ has two or three lines: a title or a single line of print is left as it is.
    rows = ink[:, int(left) : int(right)].sum(axis=1) > 0.25 * (right - left)
    if np.count_nonzero(np.diff(rows.astype(np.int8)) == 1) + int(rows[0]) < 2:
        return None
    (cx, cy), (_, rh), angle = rect
    # Crop column x lies (x - crop width / 2) from the rectangle's centre along its long side.
    shift = (left + right) / 2 - crop.shape[1] / 2
    theta = math.radians(angle)
    centre = (cx + shift * math.cos(theta), cy + shift * math.sin(theta))
    return centre, (right - left, rh), angle


def passporteye_candidates(
    bgr: npt.NDArray[np.uint8], skip: tuple[Candidate, ...] = ()
) -> tuple[Candidate, ...]:
    """Candidate blocks from PassportEye's MRZ locator, for pages where ours read nothing.

    PassportEye (Hans Boone's method: black-hat, vertical Sobel, closing and Otsu on the page
    scaled to 250 px, boxes fitted to the contours) finds some zones that our morphology
    misses or ranks below other text, such as the MRZ of a card scanned beside its other side.
    Its boxes are cut from the full-resolution page by the same deskewing code as ours; blocks
    whose centre lies in a candidate already tried (`skip`) are left out. PassportEye pulls in
    scikit-image, scikit-learn and matplotlib (about 1.5 s), so it is imported only here.
    """
    import cv2  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY) if bgr.ndim == 3 else bgr
    if min(gray.shape[:2]) < 16:
        return ()
    try:
        # scikit-image deprecation warnings from PassportEye's code are not the user's concern.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from passporteye.mrz.image import (  # noqa: PLC0415
                BooneTransform,
                MRZBoxLocator,
                Scaler,
            )

            image = gray.astype(np.float64) / 255.0
            small, scale = Scaler()(image)
            boxes = MRZBoxLocator()(BooneTransform()(small))
    except Exception:  # noqa: BLE001 - a fallback detector must never fail the read
        return ()
    candidates: list[Candidate] = []
    for rank, box in enumerate(boxes):
        row, col = float(box.center[0]), float(box.center[1])
        # PassportEye's angle is measured from the image's row axis; OpenCV's from its x axis.
        angle = math.degrees(math.atan2(math.cos(box.angle), math.sin(box.angle)))
        angle = (angle + 90.0) % 180.0 - 90.0
        rect = ((col / scale, row / scale), (box.width / scale, box.height / scale), angle)
        if box.width <= 0 or box.height <= 0 or any(_overlaps(rect, c) for c in skip):
            continue
        try:  # PassportEye's own cut: a tight box with a 5-pixel (at 250 px) margin
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                region = box.extract_from_image(image, 1.0 / scale)
        except Exception:  # noqa: BLE001, S112 - skip a box PassportEye cannot cut
            continue
        if region.size == 0 or region.shape[0] >= region.shape[1]:
            continue
        crop = np.ascontiguousarray(np.clip(region * 255.0, 0, 255).astype(np.uint8))
        box_xywh = _page_box(gray.shape, rect)
        candidates.append(
            Candidate(
                crop=crop, box=box_xywh, angle=angle, score=-float(rank), finder="passporteye"
            )
        )
    return tuple(candidates)


# Residual tilts tried on a block, in degrees either way, and the step between them.
_LEVEL_RANGE = 12.0
_LEVEL_STEP = 0.5
# Working height of a block for levelling, in pixels.
_LEVEL_HEIGHT = 160
# How much sharper the levelled row profile must be than the block's own to turn it.
_LEVEL_GAIN = 2.0


def _level_turn(crop: npt.NDArray[np.uint8]) -> float:
    """The turn in degrees (counter-clockwise) that levels a block's text rows; 0 for none.

    The block's angle comes from the rectangle around its blob, which text beside the zone
    (a watermark, the card's other print) can tilt by several degrees. All print on a
    document is parallel, so the turn that makes the ink's row profile sharpest (the sum of
    squared differences between neighbouring rows) is the text's own angle.
    """
    import cv2  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    factor = min(1.0, _LEVEL_HEIGHT / crop.shape[0])
    small = cv2.resize(crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    height, width = ink.shape[:2]
    centre = (width / 2, height / 2)

    # Only the middle columns count: the corners a turn brings in from outside hold no ink.
    left, right = round(width * 0.2), round(width * 0.8)

    def sharpness(delta: float) -> float:
        matrix = cv2.getRotationMatrix2D(centre, delta, 1.0)
        turned = cv2.warpAffine(ink, matrix, (width, height), flags=cv2.INTER_NEAREST)
        profile = turned[:, left:right].sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(profile)).sum())

    steps = round(_LEVEL_RANGE / _LEVEL_STEP)
    deltas = [step * _LEVEL_STEP for step in range(-steps, steps + 1)]
    scores = {delta: sharpness(delta) for delta in deltas}
    best = max(scores, key=lambda delta: (scores[delta], -abs(delta)))
    # A small turn, or a profile barely sharper than the block's own, is noise (texture).
    if abs(best) < 1.0 or scores[best] < _LEVEL_GAIN * scores[0.0]:
        return 0.0
    return best


def _search(small: npt.NDArray[np.uint8], degrees: float) -> list[tuple[float, _Rect]]:
    """(score, rectangle in `small`) of the blocks on `small` turned `degrees`, and 90 more.

    Rectangles are mapped back to `small`.
    """
    import cv2  # noqa: PLC0415

    found: list[tuple[float, _Rect]] = []
    turned, back = _turned(small, degrees)
    for quarter in (0, 1):
        work = (
            turned
            if quarter == 0
            else cast("npt.NDArray[np.uint8]", cv2.rotate(turned, cv2.ROTATE_90_CLOCKWISE))
        )
        for rect, score in _blocks(work, unit=max(small.shape[:2]) / _WORK_SIZE):
            found.append((score, back(_unrotate_rect(rect, quarter, turned.shape[:2]))))
    return found


def _turned(
    small: npt.NDArray[np.uint8], degrees: float
) -> tuple[npt.NDArray[np.uint8], Callable[[_Rect], _Rect]]:
    """`small` turned `degrees` counter-clockwise, and a map of rectangles back to `small`.

    The canvas grows to hold the whole page; the map is the identity for 0 degrees.
    """
    import cv2  # noqa: PLC0415

    if degrees == 0:
        return small, lambda rect: rect
    height, width = small.shape[:2]
    theta = math.radians(degrees)
    cos, sin = abs(math.cos(theta)), abs(math.sin(theta))
    out_w, out_h = round(width * cos + height * sin), round(width * sin + height * cos)
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    matrix[0, 2] += out_w / 2 - width / 2
    matrix[1, 2] += out_h / 2 - height / 2
    # The canvas's corners outside the page repeat its border: no edge to mistake for text.
    turned = cv2.warpAffine(small, matrix, (out_w, out_h), borderMode=cv2.BORDER_REPLICATE)
    inverse = cv2.invertAffineTransform(matrix)

    def back(rect: _Rect) -> _Rect:
        (cx, cy), size, angle = rect
        x = inverse[0, 0] * cx + inverse[0, 1] * cy + inverse[0, 2]
        y = inverse[1, 0] * cx + inverse[1, 1] * cy + inverse[1, 2]
        # Turning the page counter-clockwise took `degrees` off every line's angle.
        return (float(x), float(y)), size, (angle + degrees + 90.0) % 180.0 - 90.0

    return cast("npt.NDArray[np.uint8]", turned), back


def _blocks(
    work: npt.NDArray[np.uint8], *, unit: float
) -> list[tuple[tuple[tuple[float, float], tuple[float, float], float], float]]:
    """Rotated rectangles of dense horizontal text blocks in a working-size grey image.

    `unit` is the page's scale against the working size (kernels are sized by it), so a page
    turned onto a larger canvas is searched with the same kernels as the page itself.
    """
    import cv2  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    height, width = work.shape[:2]
    rect_kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (_odd(15 * unit), _odd(5 * unit)))
    blurred = cv2.GaussianBlur(work, (3, 3), 0)
    blackhat = cv2.morphologyEx(blurred, cv2.MORPH_BLACKHAT, rect_kernel)
    grad = cv2.Sobel(blackhat, cv2.CV_32F, 1, 0, ksize=-1)
    grad = np.absolute(grad)
    top = float(grad.max())
    if top <= 0:
        return []
    grad8 = (255 * (grad / top)).astype("uint8")
    # Straight edges across the text running over half the image (the gap between two sides
    # of a card scanned together, a page's border) are not text: removed, they cannot glue
    # a block to the rest of the page. The block threshold stays Otsu's of the page as it is.
    tall = cv2.getStructuringElement(cv2.MORPH_RECT, (1, _odd(height / 2)))
    otsu, _ = cv2.threshold(
        cv2.morphologyEx(grad8, cv2.MORPH_CLOSE, rect_kernel),
        0,
        255,
        cv2.THRESH_BINARY | cv2.THRESH_OTSU,
    )
    grad8 = cv2.subtract(grad8, cv2.morphologyEx(grad8, cv2.MORPH_OPEN, tall))
    grad8 = cv2.morphologyEx(grad8, cv2.MORPH_CLOSE, rect_kernel)
    block_mask = ((grad8 > otsu) * 255).astype("uint8")
    square = cv2.getStructuringElement(cv2.MORPH_RECT, (_odd(21 * unit), _odd(21 * unit)))
    block_mask = cv2.morphologyEx(block_mask, cv2.MORPH_CLOSE, square)
    block_mask = cv2.erode(block_mask, np.ones((3, 3), np.uint8), iterations=2)
    # A second, stricter mask keeps each text line apart from textured backgrounds (guilloche,
    # photos) that the block mask glues to the MRZ; `_merge_lines` rebuilds the block.
    line_mask = ((grad8 > min(1.6 * otsu, 250)) * 255).astype("uint8")
    wide = cv2.getStructuringElement(cv2.MORPH_RECT, (_odd(21 * unit), _odd(3 * unit)))
    line_mask = cv2.morphologyEx(line_mask, cv2.MORPH_CLOSE, wide)
    narrow = cv2.getStructuringElement(cv2.MORPH_RECT, (_odd(9 * unit), _odd(3 * unit)))
    line_mask = cv2.morphologyEx(line_mask, cv2.MORPH_OPEN, narrow)
    blobs: list[npt.NDArray[np.int32]] = []
    for mask in (block_mask, line_mask):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        blobs.extend(c.reshape(-1, 2).astype(np.int32) for c in contours if len(c) >= 3)
    results = []
    for points in _merge_lines(blobs):
        rect = cv2.minAreaRect(points)
        (cx, cy), (rw, rh), angle = rect
        if rw < rh:  # make the long side the "width" and the angle that of the long side
            rw, rh = rh, rw
            angle += 90.0
        angle = (angle + 90.0) % 180.0 - 90.0
        if abs(angle) > 25 or rh <= 0:
            continue
        aspect = rw / rh
        if aspect < 2.5 or rw < 0.18 * width:
            continue
        fill = min(1.0, cv2.contourArea(cv2.convexHull(points)) / (rw * rh))
        # Longer blocks and fuller rectangles look more like an MRZ; prefer aspect ratios of
        # real MRZ blocks (about 5 for TD1 to 13 for TD3) and the top or bottom of the page.
        aspect_fit = 1.0 if 3.5 <= aspect <= 16 else 0.6
        edge = abs(cy / height - 0.5) * 2  # MRZs sit near an edge of the document
        score = (rw / width) * fill * aspect_fit * (0.85 + 0.3 * edge)
        results.append((((cx, cy), (rw, rh), angle), score))
    return results


class _Line(NamedTuple):
    """A text line (or fragment) as a rotated rectangle; `angle` in radians."""

    points: npt.NDArray[np.int32]
    cx: float
    cy: float
    width: float
    height: float
    angle: float


def _line_of(points: npt.NDArray[np.int32]) -> _Line:
    import cv2  # noqa: PLC0415

    (cx, cy), (rw, rh), angle = cv2.minAreaRect(points)
    if rw < rh:
        rw, rh, angle = rh, rw, angle + 90.0
    return _Line(points, cx, cy, rw, rh, math.radians(angle))


def _merge_lines(blobs: list[npt.NDArray[np.int32]]) -> list[npt.NDArray[np.int32]]:
    """Join text lines of one block that the closing left apart; keep the originals too.

    MRZ lines are parallel, of about equal length, aligned, and about one line height apart.
    """
    import numpy as np  # noqa: PLC0415

    pieces = [
        line for line in map(_line_of, blobs) if line.height > 0 and line.width / line.height >= 2
    ]
    # First join collinear fragments of one line (a gap in the mask splits a line).
    pieces.sort(key=lambda item: -item[3])
    lines: list[_Line] = []
    used = [False] * len(pieces)
    for i, piece in enumerate(pieces):
        if used[i]:
            continue
        used[i] = True
        points = piece[0]
        for j in range(i + 1, len(pieces)):
            other = pieces[j]
            if used[j] or abs(math.sin(other[5] - piece[5])) > 0.1 or other[4] > 2 * piece[4]:
                continue
            dx, dy = other[1] - piece[1], other[2] - piece[2]
            along = abs(dx * math.cos(piece[5]) + dy * math.sin(piece[5]))
            across = abs(-dx * math.sin(piece[5]) + dy * math.cos(piece[5]))
            if across <= 0.5 * piece[4] and along - (piece[3] + other[3]) / 2 <= 4 * piece[4]:
                used[j] = True
                points = np.concatenate([points, other[0]])
        joined = _line_of(points)
        if joined.height > 0 and joined.width / joined.height >= 6:
            lines.append(joined)
    merged = list(blobs) + [line[0] for line in lines]
    lines.sort(key=lambda item: item[2])
    for i, first in enumerate(lines):
        group = [first]
        for second in lines[i + 1 :]:
            last = group[-1]
            if not 0.5 <= second[3] / last[3] <= 2.0:
                continue
            if abs(math.sin(second[5] - last[5])) > 0.07:
                continue
            dx, dy = second[1] - last[1], second[2] - last[2]
            along = abs(dx * math.cos(last[5]) + dy * math.sin(last[5]))
            across = abs(-dx * math.sin(last[5]) + dy * math.cos(last[5]))
            height = max(last[4], second[4])
            if along > 0.15 * last[3] or across > 4.0 * height:
                continue
            group.append(second)
            merged.append(np.concatenate([item[0] for item in group]))
            if len(group) == 3:
                break
    return merged


def _unrotate_rect(
    rect: tuple[tuple[float, float], tuple[float, float], float],
    quarter: int,
    shape: tuple[int, ...],
) -> tuple[tuple[float, float], tuple[float, float], float]:
    """Map a rectangle found in the image turned by 90 degrees clockwise back to the image."""
    if quarter == 0:
        return rect
    (cx, cy), size, angle = rect
    height = shape[0]
    # Turning clockwise maps (x, y) to (H - 1 - y, x); undo it.
    return (cy, height - 1 - cx), size, angle + 90.0


def _overlaps(
    rect: tuple[tuple[float, float], tuple[float, float], float], other: Candidate
) -> bool:
    x, y, w, h = other.box
    cx, cy = rect[0]
    return x <= cx <= x + w and y <= cy <= y + h


def _extract(
    gray: npt.NDArray[np.uint8],
    rect: tuple[tuple[float, float], tuple[float, float], float],
) -> tuple[npt.NDArray[np.uint8], float, tuple[int, int, int, int]]:
    """Deskew and crop the rectangle (with a margin) from the full-resolution grey page."""
    import cv2  # noqa: PLC0415

    (cx, cy), (rw, rh), angle = rect
    # Generous above and below: a neighbouring MRZ line that the mask missed must be in it.
    margin_y = max(0.25 * rh, 2.0 * rw / 36) + 4
    margin_x = 0.04 * rw + 4
    out_w, out_h = rw + 2 * margin_x, rh + 2 * margin_y
    matrix = cv2.getRotationMatrix2D((cx, cy), angle, 1.0)
    matrix[0, 2] += out_w / 2 - cx
    matrix[1, 2] += out_h / 2 - cy
    crop = cv2.warpAffine(
        gray,
        matrix,
        (max(1, round(out_w)), max(1, round(out_h))),
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return cast("npt.NDArray[np.uint8]", crop), float(angle), _page_box(gray.shape, rect)


def _page_box(
    shape: tuple[int, ...], rect: tuple[tuple[float, float], tuple[float, float], float]
) -> tuple[int, int, int, int]:
    """Axis-aligned box (x, y, w, h) around a rotated rectangle, clipped to the page."""
    import cv2  # noqa: PLC0415

    corners = cv2.boxPoints(rect)
    x0, y0 = corners.min(axis=0)
    x1, y1 = corners.max(axis=0)
    height, width = shape[:2]
    x0, y0 = max(0, math.floor(x0)), max(0, math.floor(y0))
    x1, y1 = min(width, math.ceil(x1)), min(height, math.ceil(y1))
    return (int(x0), int(y0), int(x1 - x0), int(y1 - y0))


def _odd(value: float) -> int:
    number = max(1, round(value))
    return number if number % 2 else number + 1
