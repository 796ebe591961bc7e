"""`screening`'s own OCR-B line reader: a small convolutional network run with NumPy alone.

Tesseract reads clean MRZs well but its models were trained on print far larger than the 4- to
8-pixel capitals of a low-resolution or blurred scan, where it confuses name letters that no
check digit protects. This reader is a fully convolutional network trained only on rendered,
degraded OCR-B lines of random, fictional text (`tools/train_mrz_cnn.py`): a line image
`LINE_HEIGHT` pixels high goes in; for every 4 pixels of width, scores for each MRZ character
and a CTC blank come out. Greedy CTC decoding gives the text, and the softmax gives a
probability per character. The weights (`data/mrzcnn.npz`, about 1 MB, plain arrays without
pickle) are package data; nothing is downloaded. The network needs no PyTorch at run time:
convolutions are matrix products over sliding windows.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    import numpy as np
    import numpy.typing as npt

__all__ = ["ALPHABET", "LAYERS", "CnnLine", "LineReader", "find_line_reader"]

# Output classes after the CTC blank (class 0), in this order.
ALPHABET = "<0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# The network, layer by layer: ("conv", (pad rows, pad columns)) followed by ReLU,
# ("pool", (rows, columns)) max pooling, and the final ("out", (0, 0)) convolution.
LAYERS: tuple[tuple[str, tuple[int, int]], ...] = (
    ("conv", (1, 1)),
    ("pool", (2, 2)),
    ("conv", (1, 1)),
    ("pool", (2, 2)),
    ("conv", (1, 1)),
    ("conv", (1, 1)),
    ("pool", (2, 1)),
    ("conv", (1, 1)),
    ("conv", (0, 0)),
    ("conv", (0, 1)),
    ("out", (0, 0)),
)
_WEIGHTS = "mrzcnn.npz"


@dataclass(frozen=True, slots=True)
class CnnLine:
    """One line as the network read it.

    `confidence` is the mean character probability (0-100); `probabilities` and
    `alternatives` give each character's probability (0-1) and runner-up; `row` is the
    line's middle as a share of the block's height (set by `read_block`).
    """

    text: str
    confidence: float
    probabilities: tuple[float, ...]
    alternatives: tuple[str, ...]
    row: float | None = None


@dataclass(frozen=True, slots=True)
class LineReader:
    """The network's weights, one (weight, bias) pair per convolution of `LAYERS`."""

    weights: tuple[tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]], ...]

    @classmethod
    def load(cls, path: Path) -> LineReader:
        """Read weights written by `tools/train_mrz_cnn.py export` (no pickle)."""
        import numpy as np  # noqa: PLC0415

        with np.load(path, allow_pickle=False) as data:
            count = sum(1 for kind, _ in LAYERS if kind != "pool")
            pairs = tuple(
                (data[f"w{i}"].astype(np.float32), data[f"b{i}"].astype(np.float32))
                for i in range(count)
            )
        return cls(pairs)

    def logits(self, line: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Class scores (classes x frames) for one line image (`LINE_HEIGHT` rows)."""
        import numpy as np  # noqa: PLC0415

        x = line[None, :, :].astype(np.float32)
        pairs = iter(self.weights)
        for kind, size in LAYERS:
            if kind == "pool":
                x = _max_pool(x, size)
                continue
            weight, bias = next(pairs)
            x = _conv(x, weight, bias, size)
            if kind == "conv":
                np.maximum(x, 0, out=x)
        return x[:, 0, :]

    def read_block(self, block: npt.NDArray[np.uint8]) -> tuple[CnnLine, ...]:
        """Every text line of a deskewed grey block, top to bottom (`screening.ocr.lines`)."""
        from screening.ocr.lines import find_bands, line_image  # noqa: PLC0415

        height = max(block.shape[0], 1)
        return tuple(
            dataclasses.replace(self.read(line_image(block, band)), row=band.centre / height)
            for band in find_bands(block)
        )

    def read(self, line: npt.NDArray[np.float32]) -> CnnLine:
        """Greedy CTC decoding of one line image."""
        import numpy as np  # noqa: PLC0415

        scores = self.logits(line)
        scores = scores - scores.max(axis=0, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(axis=0, keepdims=True)
        best = probs.argmax(axis=0)
        text: list[str] = []
        chances: list[float] = []
        seconds: list[str] = []
        last = 0
        for frame, code in enumerate(best.tolist()):
            if code and code != last:
                text.append(ALPHABET[code - 1])
                chances.append(float(probs[code, frame]))
                order = np.argsort(probs[1:, frame])[::-1]
                runner = next(int(c) for c in order if int(c) + 1 != code)
                seconds.append(ALPHABET[runner])
            elif code and code == last and probs[code, frame] > chances[-1]:
                chances[-1] = float(probs[code, frame])
            last = code
        confidence = 100.0 * sum(chances) / len(chances) if chances else 0.0
        return CnnLine("".join(text), confidence, tuple(chances), tuple(seconds))


def _conv(
    x: npt.NDArray[np.float32],
    weight: npt.NDArray[np.float32],
    bias: npt.NDArray[np.float32],
    pad: tuple[int, int],
) -> npt.NDArray[np.float32]:
    """2-D convolution (PyTorch's cross-correlation) of a (channels, rows, columns) array."""
    import numpy as np  # noqa: PLC0415
    from numpy.lib.stride_tricks import sliding_window_view  # noqa: PLC0415

    channels = x.shape[0]
    out_channels, _, rows, cols = weight.shape
    if pad != (0, 0):
        x = np.pad(x, ((0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    windows = sliding_window_view(x, (rows, cols), axis=(1, 2))
    height, width = windows.shape[1:3]
    columns = windows.transpose(1, 2, 0, 3, 4).reshape(height * width, channels * rows * cols)
    out = columns @ weight.reshape(out_channels, -1).T + bias
    return np.ascontiguousarray(out.T.reshape(out_channels, height, width))


def _max_pool(x: npt.NDArray[np.float32], size: tuple[int, int]) -> npt.NDArray[np.float32]:
    """Max pooling without overlap; a ragged last row or column is dropped (as PyTorch does)."""
    import numpy as np  # noqa: PLC0415

    rows, cols = size
    height, width = x.shape[1] // rows * rows, x.shape[2] // cols * cols
    out = x[:, 0:height:rows, 0:width:cols]
    for dy in range(rows):
        for dx in range(cols):
            if dy or dx:
                out = np.maximum(out, x[:, dy:height:rows, dx:width:cols])
    return out


@lru_cache(maxsize=1)
def find_line_reader() -> LineReader | None:
    """The shipped network (package data), None when its weights are missing."""
    source = resources.files("screening").joinpath(f"data/{_WEIGHTS}")
    if not source.is_file():
        return None
    with resources.as_file(source) as path:
        return LineReader.load(path)
