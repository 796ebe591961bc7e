"""Split a deskewed MRZ block into text lines and cut each one out at a fixed height.

Our own OCR-B line reader (`screening.ocr.cnn`) reads one text line at a time, so the block
found by the detector must first be split into lines. MRZ lines are rows of many thin vertical
strokes, so the mean absolute horizontal gradient of each pixel row (`row_profile`) is high
inside a text line and low between lines, on plain paper and on the dark edge of a card alike.
Every local maximum of that profile above a share of the strongest row is grown into a band
down to a share of its own peak (`find_bands`). Each band is cut with half its height above and
below, scaled to `LINE_HEIGHT` pixels and normalised to ink 1, paper 0 (`line_image`). The same
functions cut the training lines in `tools/train_mrz_cnn.py`, so the model learns the crops it
will be given, including the imprecise ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["LINE_HEIGHT", "Band", "find_bands", "line_image", "row_profile"]

# Height in pixels of a line image given to the line reader: about twice the capitals' height.
LINE_HEIGHT = 32
# A row is a peak when its profile reaches this share of the strongest row...
_PEAK_SHARE = 0.3
# ...and stands out from the valleys on either side by this share of its own value.
_PROMINENCE = 0.12
# A line's core rows: where the profile stays above this share of its peak.
_EDGE_SHARE = 0.45
# A line crop is twice its core height, or the distance to the next line when that is less.
_CONTEXT = 2.0


@dataclass(frozen=True, slots=True)
class Band:
    """The rows to cut for one text line, and how strong its peak is.

    `top` is inclusive and `bottom` exclusive; either may lie outside the block. `strength`
    is the line's peak as a share of the block's strongest row.
    """

    top: int
    bottom: int
    strength: float

    @property
    def height(self) -> int:
        """Rows in the cut."""
        return self.bottom - self.top

    @property
    def centre(self) -> float:
        """Middle row of the cut."""
        return (self.top + self.bottom) / 2


def row_profile(block: npt.NDArray[np.uint8]) -> npt.NDArray[np.float64]:
    """Mean absolute horizontal gradient per row, smoothed over three rows."""
    import numpy as np  # noqa: PLC0415

    grey = block.astype(np.float64)
    if grey.shape[1] < 2:
        return np.zeros(grey.shape[0])
    profile = np.abs(np.diff(grey, axis=1)).mean(axis=1)
    return np.convolve(profile, np.ones(3) / 3, mode="same")


def find_bands(block: npt.NDArray[np.uint8]) -> tuple[Band, ...]:
    """The text lines of a grey block, top to bottom, as rows to cut.

    Peaks of the row profile that stand out from the valleys beside them are lines; a line's
    core runs down to a share of its peak but never past the valley towards the next line.
    The cut is centred on the core: twice the core's height, or the distance to the nearest
    other line when that is less (blurred lines run into each other, and their spacing is
    then the better measure of their size).
    """
    profile = row_profile(block)
    rows = len(profile)
    strongest = float(profile.max()) if rows else 0.0
    if strongest <= 0:
        return ()
    peaks = _peaks(profile, strongest)
    cores: list[tuple[float, float, float]] = []
    for index, peak in enumerate(peaks):
        value = float(profile[peak])
        low = _valley(profile, peaks[index - 1], peak) if index else 0
        high = _valley(profile, peak, peaks[index + 1]) if index + 1 < len(peaks) else rows - 1
        edge = _EDGE_SHARE * value
        start = peak
        while start > low and profile[start - 1] >= edge:
            start -= 1
        end = peak
        while end < high and profile[end + 1] >= edge:
            end += 1
        cores.append(((start + end + 1) / 2, float(end + 1 - start), value / strongest))
    bands = []
    for index, (centre, core, strength) in enumerate(cores):
        gaps = [abs(centre - other[0]) for i, other in enumerate(cores) if i != index]
        height = min([_CONTEXT * core, *gaps])
        height = max(height, 4.0)
        bands.append(Band(round(centre - height / 2), round(centre + height / 2), strength))
    return tuple(bands)


def _peaks(profile: npt.NDArray[np.float64], strongest: float) -> list[int]:
    """Rows that are local maxima, strong enough, and prominent over their valleys.

    A peak's prominence is how far it stands above the higher of the two lowest points
    between it and the nearest higher row on either side (or the block's edge), as for
    mountains; the lesser maxima inside one text line (capital tops, middle bars, feet) are
    not prominent, the line's highest one is.
    """
    rows = len(profile)
    kept: list[int] = []
    for row in range(rows):
        value = float(profile[row])
        window = profile[max(0, row - 2) : row + 3]
        if value < _PEAK_SHARE * strongest or value < float(window.max()):
            continue
        if kept and row - kept[-1] <= 2 and profile[kept[-1]] == value:
            continue  # a plateau: keep its first row
        left = row
        while left > 0 and profile[left - 1] <= value:
            left -= 1
        right = row
        while right < rows - 1 and profile[right + 1] <= value:
            right += 1
        base = max(float(profile[left : row + 1].min()), float(profile[row : right + 1].min()))
        if value - base >= _PROMINENCE * value:
            kept.append(row)
    return kept


def _lowest(profile: npt.NDArray[np.float64], first: int, second: int) -> float:
    return float(profile[first : second + 1].min())


def _valley(profile: npt.NDArray[np.float64], first: int, second: int) -> int:
    """The lowest row between two peaks."""
    import numpy as np  # noqa: PLC0415

    return first + int(np.argmin(profile[first : second + 1]))


def line_image(block: npt.NDArray[np.uint8], band: Band) -> npt.NDArray[np.float32]:
    """The band's rows, `LINE_HEIGHT` high, ink about 1 and paper about 0.

    Rows outside the block repeat its edge. Grey levels are mapped so that the darkest 5% of
    pixels are about 1 and the lightest 10% about 0, whatever the paper and ink colours.
    """
    import cv2  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    if block.size == 0 or band.height <= 0:
        raise ValueError("line_image needs a non-empty block and band")
    # The rows of the band that lie in the block (at least the nearest edge row), then the
    # edge repeated for the rest.
    first = min(max(band.top, 0), block.shape[0] - 1)
    last = max(min(band.bottom, block.shape[0]), first + 1)
    above, below = first - band.top, band.bottom - last
    rows = block[first:last]
    if above > 0 or below > 0:
        rows = np.pad(rows, ((max(above, 0), max(below, 0)), (0, 0)), mode="edge")
    factor = LINE_HEIGHT / rows.shape[0]
    width = max(LINE_HEIGHT, round(rows.shape[1] * factor))
    interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    scaled = cv2.resize(rows, (width, LINE_HEIGHT), interpolation=interp).astype(np.float32)
    paper = float(np.percentile(scaled, 90))
    ink = float(np.percentile(scaled, 5))
    span = max(paper - ink, 16.0)
    normalised: npt.NDArray[np.float32] = np.clip((paper - scaled) / span, -0.5, 1.5).astype(
        np.float32
    )
    return normalised
