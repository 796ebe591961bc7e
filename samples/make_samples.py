# ruff: noqa: INP001 T201 - a standalone script that prints what it wrote
"""Generate the specimen documents in samples/: fictional people, issuing state UTO (Utopia).

Renders a TD3 passport data page, a TD1 identity card (front and back), a TD2 identity card
and an MRV-A visa at 300 dpi with an ICAO 9303 MRZ in OCR-B (Debian's public-domain
fonts-ocr-b, 2.54 mm character pitch), then derives degraded captures from them: rotations,
skew, low resolution, an EXIF-rotated photo, a phone-like photo on a busy background, and
two-page PDFs. Check digits come from `screening.mrz.checkdigit` and every MRZ is verified
against `screening.mrz.layout` before anything is written. Writes samples/*.{png,jpg,pdf} and
samples/manifest.jsonl with the ground truth. Output is deterministic (fixed seeds).

Run from the project root:  .venv/bin/python samples/make_samples.py
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from screening.model import DocType
from screening.mrz import checkdigit
from screening.mrz.layout import LAYOUTS

HERE = Path(__file__).resolve().parent
DPI = 300
MM = DPI / 25.4  # pixels per millimetre
OCRB = "/usr/share/fonts/opentype/ocr-b/OCRB.otf"
SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SANS_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
SERIF_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"

# ICAO 9303-3 section 4: OCR-B size 1, 10 characters per 25.4 mm (2.54 mm pitch) and a
# nominal character height of about 2.4 mm; lines about 4.2 mm apart, baseline to baseline.
PITCH = 2.54 * MM
LINE_PITCH = 4.3 * MM
OCRB_SIZE = round(2.42 * MM / 0.72)  # OCR-B capitals are 0.72 em tall


# ---------------------------------------------------------------------------------------------
# the fictional holders


@dataclass(frozen=True)
class Holder:
    """One fictional document and its holder (every value invented)."""

    key: str
    doc_type: str  # TD1 | TD2 | TD3 | MRV-A (DocType values)
    code: str  # document code, 2 characters
    surname: str
    given: str
    number: str  # 9 characters
    birth: dt.date
    sex: str
    expiry: dt.date
    issue: dt.date
    optional: str = ""
    optional2: str = ""  # TD1 line 2 only
    place_of_birth: str = "UTOPIA CITY"


HOLDERS = (
    Holder(
        key="td3",
        doc_type="TD3",
        code="P<",
        surname="CONTOH",
        given="SITI AMINAH",
        number="C7H2X9041",
        birth=dt.date(1985, 3, 14),
        sex="F",
        expiry=dt.date(2033, 9, 18),
        issue=dt.date(2023, 9, 19),
        optional="ZE184226B",
        place_of_birth="NORTH HARBOUR",
    ),
    Holder(
        key="td1",
        doc_type="TD1",
        code="ID",
        surname="SAMPEL",
        given="BUDI HARTONO",
        number="UT4K80Q27",
        birth=dt.date(1992, 11, 2),
        sex="M",
        expiry=dt.date(2031, 6, 30),
        issue=dt.date(2021, 7, 1),
        optional="7392014<",
        optional2="",
        place_of_birth="EAST VALLEY",
    ),
    Holder(
        key="td2",
        doc_type="TD2",
        code="I<",
        surname="TELADAN",
        given="MAYA PUTRI",
        number="M60Z3B8T1",
        birth=dt.date(2001, 1, 27),
        sex="F",
        expiry=dt.date(2030, 2, 11),
        issue=dt.date(2020, 2, 12),
        place_of_birth="WEST COAST",
    ),
    Holder(
        key="visa",
        doc_type="MRV-A",
        code="V<",
        surname="PERCOBAAN",
        given="ADI NUGROHO",
        number="V0S81D3A2",
        birth=dt.date(1978, 7, 5),
        sex="M",
        expiry=dt.date(2027, 8, 31),
        issue=dt.date(2026, 9, 1),
        optional="WORKVISA",
        place_of_birth="SOUTH RIDGE",
    ),
)


# ---------------------------------------------------------------------------------------------
# MRZ text (ICAO 9303 Parts 4-7)


def _yymmdd(day: dt.date) -> str:
    return day.strftime("%y%m%d")


def _names(holder: Holder, width: int) -> str:
    text = holder.surname.replace(" ", "<") + "<<" + holder.given.replace(" ", "<")
    return text[:width].ljust(width, "<")


def _field(value: str, width: int) -> str:
    return value[:width].ljust(width, "<")


def _cd(data: str) -> str:
    return checkdigit.compute(data)


def mrz_lines(h: Holder) -> tuple[str, ...]:
    """The MRZ lines of `h`, check digits computed, nothing hard-coded."""
    number = _field(h.number, 9)
    birth, expiry = _yymmdd(h.birth), _yymmdd(h.expiry)
    if h.doc_type in ("TD3", "MRV-A"):
        line1 = h.code + "UTO" + _names(h, 39)
        head = number + _cd(number) + "UTO" + birth + _cd(birth) + h.sex + expiry + _cd(expiry)
        if h.doc_type == "MRV-A":
            return line1, head + _field(h.optional, 16)
        optional = _field(h.optional, 14)
        body = head + optional + _cd(optional)
        composite = body[0:10] + body[13:20] + body[21:43]
        return line1, body + _cd(composite)
    if h.doc_type == "TD2":
        line1 = h.code + "UTO" + _names(h, 31)
        head = number + _cd(number) + "UTO" + birth + _cd(birth) + h.sex + expiry + _cd(expiry)
        body = head + _field(h.optional, 7)
        composite = body[0:10] + body[13:20] + body[21:35]
        return line1, body + _cd(composite)
    if h.doc_type == "TD1":
        line1 = h.code + "UTO" + number + _cd(number) + _field(h.optional, 15)
        line2 = birth + _cd(birth) + h.sex + expiry + _cd(expiry) + "UTO" + _field(h.optional2, 11)
        composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
        return line1, line2 + _cd(composite), _names(h, 30)
    raise ValueError(h.doc_type)


def verify(lines: tuple[str, ...], doc_type: str) -> None:
    """Every check digit of `lines` passes, judged by the project's own layout table."""
    layout = LAYOUTS[DocType(doc_type)]
    _require(len(lines) == layout.line_count, f"{doc_type}: line count")
    _require(all(len(line) == layout.line_length for line in lines), f"{doc_type}: line length")
    _require(all(set(line) <= checkdigit.ALPHABET for line in lines), f"{doc_type}: alphabet")

    def text(line: int, start: int, end: int) -> str:
        return lines[line][start:end]

    for check in layout.checks:
        digit = layout.spec(check.digit)
        if digit is None:
            raise SystemExit(f"layout has no field {check.digit}")
        found = text(digit.line, digit.start, digit.end)
        if check.composite:
            data = "".join(text(*part) for part in check.composite)
        else:
            spec = layout.spec(check.data)
            if spec is None:
                raise SystemExit(f"layout has no field {check.data}")
            data = text(spec.line, spec.start, spec.end)
        _require(checkdigit.is_valid(data, found), f"{doc_type}: {check.code} fails")


def _require(condition: bool, what: str) -> None:
    """Stop the generator (writing nothing) when a generated MRZ is not valid."""
    if not condition:
        raise SystemExit(f"generated MRZ is invalid: {what}")


def fields(h: Holder) -> dict[str, str]:
    """Ground-truth field values as printed in the MRZ, named as `screening.mrz.parse` names them.

    Names have fillers turned into spaces, codes and numbers lose trailing fillers, dates stay
    YYMMDD as printed (`dates()` gives them in ISO 8601).
    """
    values = {
        "document_code": h.code.rstrip("<"),
        "issuing_state": "UTO",
        "surname": h.surname,
        "given_names": h.given,
        "document_number": h.number,
        "nationality": "UTO",
        "birth_date": _yymmdd(h.birth),
        "sex": h.sex,
        "expiry_date": _yymmdd(h.expiry),
    }
    if h.optional:
        values["optional_data"] = h.optional.strip("<")
    return values


def dates(h: Holder) -> dict[str, str]:
    """The birth and expiry dates in ISO 8601 (the MRZ prints two-digit years)."""
    return {"birth_date": h.birth.isoformat(), "expiry_date": h.expiry.isoformat()}


# ---------------------------------------------------------------------------------------------
# drawing


def _font(path: str, size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, round(size))


def _canvas(width_mm: float, height_mm: float, tint: tuple[int, int, int]) -> Image.Image:
    return Image.new("RGB", (round(width_mm * MM), round(height_mm * MM)), tint)


def _guilloche(
    img: Image.Image, box: tuple[int, int, int, int], colour: tuple[int, int, int], seed: int
) -> None:
    """Fine security-print waves over `box` (kept off the MRZ clear area by the caller)."""
    rng = np.random.default_rng(seed)
    draw = ImageDraw.Draw(img)
    x0, y0, x1, y1 = box
    xs = np.arange(x0, x1, 3)
    for k in range(46):
        amp = rng.uniform(8, 40)
        freq = rng.uniform(0.004, 0.02)
        phase = rng.uniform(0, math.tau)
        base = y0 + (y1 - y0) * k / 46
        ys = base + amp * np.sin(xs * freq + phase) + 0.5 * amp * np.sin(xs * freq * 2.7 + phase)
        points = [(float(x), float(y)) for x, y in zip(xs, ys, strict=True) if y0 <= y <= y1]
        if len(points) > 1:
            draw.line(points, fill=colour, width=2)
    # a faint rosette
    cx, cy = x0 + (x1 - x0) * 0.62, y0 + (y1 - y0) * 0.45
    for k in range(36):
        angle = k * math.tau / 36
        r = min(x1 - x0, y1 - y0) * 0.28
        draw.ellipse(
            (
                cx + r * 0.5 * math.cos(angle) - r / 2,
                cy + r * 0.5 * math.sin(angle) - r / 2,
                cx + r * 0.5 * math.cos(angle) + r / 2,
                cy + r * 0.5 * math.sin(angle) + r / 2,
            ),
            outline=colour,
            width=2,
        )


def _face(img: Image.Image, box: tuple[int, int, int, int], seed: int) -> None:
    """A photo placeholder: grey backdrop, a head-and-shoulders silhouette, a border."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    shade = int(rng.integers(185, 215))
    noise = rng.normal(shade, 2, (h, w)).clip(0, 255).astype(np.uint8)
    photo = Image.fromarray(noise).convert("RGB")
    draw = ImageDraw.Draw(photo)
    skin = (int(rng.integers(120, 200)), int(rng.integers(95, 150)), int(rng.integers(70, 120)))
    draw.ellipse((w * 0.12, h * 0.68, w * 0.88, h * 1.45), fill=(60, 62, 80))
    draw.ellipse((w * 0.3, h * 0.16, w * 0.7, h * 0.66), fill=skin)
    draw.chord((w * 0.27, h * 0.1, w * 0.73, h * 0.5), 180, 360, fill=(40, 30, 25))
    draw.rectangle((0, 0, w - 1, h - 1), outline=(90, 90, 90), width=3)
    img.paste(photo, (x0, y0))


def _signature(img: Image.Image, origin: tuple[int, int], width: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    draw = ImageDraw.Draw(img)
    xs = np.linspace(0, width, 60)
    ys = 18 * np.sin(xs / width * 9 + rng.uniform(0, 3)) + rng.normal(0, 5, xs.size)
    points = [(origin[0] + float(x), origin[1] + float(y)) for x, y in zip(xs, ys, strict=True)]
    draw.line(points, fill=(20, 30, 110), width=3)


def _label_value(
    draw: ImageDraw.ImageDraw, xy: tuple[float, float], label: str, value: str, scale: float = 1.0
) -> None:
    x, y = xy
    draw.text((x, y), label, font=_font(SANS, 2.0 * MM * scale), fill=(70, 70, 90))
    draw.text(
        (x, y + 2.6 * MM * scale), value, font=_font(SANS_BOLD, 3.0 * MM * scale), fill=(15, 15, 25)
    )


def _date(day: dt.date) -> str:
    return day.strftime("%d %b %Y").upper()


def _mrz(img: Image.Image, lines: tuple[str, ...], bottom_mm: float) -> None:
    """Draw the MRZ at a fixed 2.54 mm pitch, centred, last baseline `bottom_mm` above the edge."""
    draw = ImageDraw.Draw(img)
    font = _font(OCRB, OCRB_SIZE)
    ascent = font.getmetrics()[0]
    width = len(lines[0]) * PITCH
    left = (img.width - width) / 2
    last_baseline = img.height - bottom_mm * MM
    for i, line in enumerate(lines):
        baseline = last_baseline - (len(lines) - 1 - i) * LINE_PITCH
        for j, char in enumerate(line):
            cell = left + j * PITCH
            offset = (PITCH - font.getlength(char)) / 2
            draw.text((cell + offset, baseline - ascent), char, font=font, fill=(10, 10, 10))


def _mrz_band_top(lines: int, bottom_mm: float, height: int) -> int:
    """Top of the MRZ clear area (no background print there, ICAO 9303-3 section 4.4)."""
    return round(height - bottom_mm * MM - (lines - 1) * LINE_PITCH - 4.5 * MM)


# ---------------------------------------------------------------------------------------------
# the documents


def render_td3(h: Holder, lines: tuple[str, ...]) -> Image.Image:
    """TD3 passport data page, 125 x 88 mm."""
    img = _canvas(125, 88, (236, 242, 232))
    band = _mrz_band_top(2, 5.0, img.height)
    _guilloche(img, (0, 0, img.width, band), (205, 222, 200), seed=31)
    img.paste((250, 251, 248), (0, band, img.width, img.height))
    draw = ImageDraw.Draw(img)
    draw.text(
        (6 * MM, 4 * MM), "REPUBLIC OF UTOPIA", font=_font(SERIF_BOLD, 4.2 * MM), fill=(30, 60, 40)
    )
    draw.text(
        (6 * MM, 9.5 * MM), "PASSPORT / PASPOR", font=_font(SANS, 2.8 * MM), fill=(30, 60, 40)
    )
    draw.text((80 * MM, 4.5 * MM), "SPECIMEN", font=_font(SANS_BOLD, 3.2 * MM), fill=(170, 60, 60))
    _face(img, (round(6 * MM), round(16 * MM), round(38 * MM), round(56 * MM)), seed=5)
    x = 43 * MM
    _label_value(draw, (x, 15 * MM), "Type / Tipe", "P")
    _label_value(draw, (x + 22 * MM, 15 * MM), "Code / Kode", "UTO")
    _label_value(draw, (x + 46 * MM, 15 * MM), "Passport No. / No. Paspor", h.number)
    _label_value(draw, (x, 22.5 * MM), "Surname / Nama keluarga", h.surname)
    _label_value(draw, (x, 30 * MM), "Given names / Nama", h.given)
    _label_value(draw, (x, 37.5 * MM), "Nationality / Kewarganegaraan", "UTOPIAN")
    _label_value(draw, (x + 48 * MM, 37.5 * MM), "Sex / Jenis kelamin", h.sex)
    _label_value(draw, (x, 45 * MM), "Date of birth / Tanggal lahir", _date(h.birth))
    _label_value(draw, (x + 48 * MM, 45 * MM), "Place of birth", h.place_of_birth)
    _label_value(draw, (x, 52.5 * MM), "Date of issue", _date(h.issue))
    _label_value(draw, (x + 48 * MM, 52.5 * MM), "Date of expiry", _date(h.expiry))
    _label_value(draw, (x, 60 * MM), "Authority", "UTOPIA CITY")
    _signature(img, (round(8 * MM), round(62 * MM)), round(28 * MM), seed=9)
    _mrz(img, lines, bottom_mm=5.0)
    return img


def render_td1_back(h: Holder, lines: tuple[str, ...]) -> Image.Image:
    """TD1 identity card back with the 3-line MRZ, 85.6 x 54 mm."""
    img = _canvas(85.6, 54, (232, 238, 246))
    band = _mrz_band_top(3, 3.6, img.height)
    _guilloche(img, (0, 0, img.width, band), (200, 212, 232), seed=41)
    img.paste((249, 250, 252), (0, band, img.width, img.height))
    draw = ImageDraw.Draw(img)
    _label_value(draw, (4 * MM, 3 * MM), "Address / Alamat", "12 LIBRARY LANE, UTOPIA CITY", 0.8)
    _label_value(draw, (4 * MM, 9 * MM), "Place of birth", h.place_of_birth, 0.8)
    _label_value(draw, (45 * MM, 9 * MM), "Date of issue", _date(h.issue), 0.8)
    _label_value(draw, (4 * MM, 15 * MM), "Authority", "CIVIL REGISTRY UTOPIA", 0.8)
    draw.rectangle(
        (round(64 * MM), round(2.5 * MM), round(81 * MM), round(19 * MM)),
        outline=(150, 160, 190),
        width=3,
    )
    draw.text((66 * MM, 9 * MM), "CHIP", font=_font(SANS, 2.5 * MM), fill=(150, 160, 190))
    _mrz(img, lines, bottom_mm=3.6)
    return img


def render_td1_front(h: Holder) -> Image.Image:
    """TD1 identity card front: visual zone only, no MRZ."""
    img = _canvas(85.6, 54, (232, 238, 246))
    _guilloche(img, (0, 0, img.width, img.height), (200, 212, 232), seed=43)
    draw = ImageDraw.Draw(img)
    draw.text(
        (4 * MM, 2.5 * MM),
        "REPUBLIC OF UTOPIA",
        font=_font(SERIF_BOLD, 3.4 * MM),
        fill=(25, 45, 95),
    )
    draw.text(
        (4 * MM, 7 * MM),
        "IDENTITY CARD / KARTU IDENTITAS",
        font=_font(SANS, 2.2 * MM),
        fill=(25, 45, 95),
    )
    _face(img, (round(4 * MM), round(12 * MM), round(27 * MM), round(42 * MM)), seed=6)
    x = 31 * MM
    _label_value(draw, (x, 12 * MM), "Surname", h.surname, 0.8)
    _label_value(draw, (x, 18 * MM), "Given names", h.given, 0.8)
    _label_value(draw, (x, 24 * MM), "Date of birth", _date(h.birth), 0.8)
    _label_value(draw, (x + 27 * MM, 24 * MM), "Sex", h.sex, 0.8)
    _label_value(draw, (x, 30 * MM), "Card No.", h.number, 0.8)
    _label_value(draw, (x, 36 * MM), "Date of expiry", _date(h.expiry), 0.8)
    draw.text((60 * MM, 46 * MM), "SPECIMEN", font=_font(SANS_BOLD, 3 * MM), fill=(170, 60, 60))
    _signature(img, (round(6 * MM), round(47 * MM)), round(22 * MM), seed=10)
    return img


def render_td2(h: Holder, lines: tuple[str, ...]) -> Image.Image:
    """TD2 residence card, 105 x 74 mm."""
    img = _canvas(105, 74, (244, 238, 228))
    band = _mrz_band_top(2, 4.5, img.height)
    _guilloche(img, (0, 0, img.width, band), (228, 214, 196), seed=51)
    img.paste((252, 250, 246), (0, band, img.width, img.height))
    draw = ImageDraw.Draw(img)
    draw.text(
        (5 * MM, 3.5 * MM),
        "REPUBLIC OF UTOPIA",
        font=_font(SERIF_BOLD, 3.6 * MM),
        fill=(110, 60, 20),
    )
    draw.text((5 * MM, 8.5 * MM), "RESIDENCE CARD", font=_font(SANS, 2.4 * MM), fill=(110, 60, 20))
    _face(img, (round(5 * MM), round(14 * MM), round(31 * MM), round(48 * MM)), seed=7)
    x = 36 * MM
    _label_value(draw, (x, 13 * MM), "Surname", h.surname, 0.9)
    _label_value(draw, (x, 20 * MM), "Given names", h.given, 0.9)
    _label_value(draw, (x, 27 * MM), "Document No.", h.number, 0.9)
    _label_value(draw, (x + 36 * MM, 27 * MM), "Sex", h.sex, 0.9)
    _label_value(draw, (x, 34 * MM), "Date of birth", _date(h.birth), 0.9)
    _label_value(draw, (x + 36 * MM, 34 * MM), "Expiry", _date(h.expiry), 0.9)
    _label_value(draw, (x, 41 * MM), "Nationality", "UTOPIAN", 0.9)
    _mrz(img, lines, bottom_mm=4.5)
    return img


def render_visa(h: Holder, lines: tuple[str, ...]) -> Image.Image:
    """MRV-A visa sticker, 120 x 80 mm."""
    img = _canvas(120, 80, (246, 236, 240))
    band = _mrz_band_top(2, 4.5, img.height)
    _guilloche(img, (0, 0, img.width, band), (230, 206, 218), seed=61)
    img.paste((252, 248, 250), (0, band, img.width, img.height))
    draw = ImageDraw.Draw(img)
    draw.text((5 * MM, 3.5 * MM), "UTOPIA", font=_font(SERIF_BOLD, 4.2 * MM), fill=(120, 30, 70))
    draw.text((5 * MM, 9 * MM), "VISA", font=_font(SANS_BOLD, 3.0 * MM), fill=(120, 30, 70))
    draw.text((85 * MM, 4 * MM), "SPECIMEN", font=_font(SANS_BOLD, 3.0 * MM), fill=(170, 60, 60))
    _face(img, (round(5 * MM), round(15 * MM), round(30 * MM), round(47 * MM)), seed=8)
    x = 35 * MM
    _label_value(draw, (x, 14 * MM), "Valid from", _date(h.issue), 0.9)
    _label_value(draw, (x + 30 * MM, 14 * MM), "Until", _date(h.expiry), 0.9)
    _label_value(draw, (x + 58 * MM, 14 * MM), "Entries", "MULT", 0.9)
    _label_value(draw, (x, 21 * MM), "Type of visa", "LIMITED STAY - WORK", 0.9)
    _label_value(draw, (x, 28 * MM), "Name", f"{h.surname}, {h.given}", 0.9)
    _label_value(draw, (x, 35 * MM), "Visa number", h.number, 0.9)
    _label_value(draw, (x + 44 * MM, 35 * MM), "Date of birth", _date(h.birth), 0.9)
    _label_value(draw, (x, 42 * MM), "Remarks", "SPONSOR: FICTIONAL EMPLOYER LTD", 0.9)
    _mrz(img, lines, bottom_mm=4.5)
    return img


# ---------------------------------------------------------------------------------------------
# degradations (numpy / OpenCV, RGB order)


def _arr(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("RGB"))


def rotate_quarter(img: Image.Image, turns_ccw: int) -> Image.Image:
    """The image turned by quarter turns counter-clockwise."""
    return Image.fromarray(np.ascontiguousarray(np.rot90(_arr(img), turns_ccw)))


def skew(img: Image.Image, degrees_ccw: float) -> Image.Image:
    """A document placed crooked on a flatbed: rotated, on the scanner's off-white lid."""
    margin = round(8 * MM)
    pad = Image.new("RGB", (img.width + 2 * margin, img.height + 2 * margin), (238, 238, 234))
    pad.paste(img, (margin, margin))
    return pad.rotate(
        degrees_ccw, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(238, 238, 234)
    )


def low_resolution(img: Image.Image, dpi: int) -> Image.Image:
    """The 300 dpi render resampled to `dpi` (area averaging, as a scanner does)."""
    factor = dpi / DPI
    size = (round(img.width * factor), round(img.height * factor))
    small = cv2.resize(_arr(img), size, interpolation=cv2.INTER_AREA)
    return Image.fromarray(small)


def _busy_background(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A desk: wood-like grain, a patterned cloth, a receipt with text, coloured clutter."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    grain = np.sin(x / 9.0 + 6 * np.sin(y / 97.0)) * 0.5 + 0.5
    base = np.stack([120 + 60 * grain, 80 + 40 * grain, 45 + 25 * grain], axis=-1)
    base += rng.normal(0, 10, (height, width, 1))
    bg = Image.fromarray(base.clip(0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(bg)
    for _ in range(25):
        cx, cy = rng.integers(0, width), rng.integers(0, height)
        r = int(rng.integers(20, 120))
        colour = tuple(int(c) for c in rng.integers(0, 255, 3))
        if rng.random() < 0.5:
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
        else:
            draw.rectangle((cx - r, cy - r // 2, cx + r, cy + r // 2), fill=colour)
    # checked cloth in one corner
    for i in range(0, width // 3, 24):
        draw.line((i, 0, i, height // 3), fill=(200, 40, 40), width=6)
    for j in range(0, height // 3, 24):
        draw.line((0, j, width // 3, j), fill=(40, 40, 160), width=6)
    # a receipt with upper-case text and chevrons, a plausible false MRZ candidate
    receipt = Image.new("RGB", (330, 520), (246, 244, 236))
    rd = ImageDraw.Draw(receipt)
    font = _font(SANS, 20)
    alphabet = list("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<<<  ")
    for row in range(19):
        text = "".join(rng.choice(alphabet, 24))
        rd.text((12, 12 + row * 26), text, font=font, fill=(40, 40, 40))
    receipt = receipt.rotate(float(rng.uniform(-25, 25)), expand=True, fillcolor=(0, 0, 0))
    mask = receipt.convert("L").point(lambda v: 255 if v > 0 else 0)
    bg.paste(receipt, (int(width * 0.68), int(height * 0.45)), mask)
    return _arr(bg.filter(ImageFilter.GaussianBlur(1.5))).astype(np.float32)


def phone_photo(
    img: Image.Image,
    seed: int,
    *,
    size: tuple[int, int] = (1600, 1200),
    doc_frac: float = 0.7,
    turn: float = 0.0,
    glare_on_zone: bool = False,
) -> Image.Image:
    """Perspective, a slight turn, uneven light, glare, blur, sensor noise (saved at JPEG q30).

    `turn` adds that many degrees (counter-clockwise) to the slight random turn: a photo
    taken at a slant. With `glare_on_zone` the glare is stronger and lies over part of the
    MRZ (a laminated page under a lamp) instead of the upper part of the document.
    """
    rng = np.random.default_rng(seed)
    width, height = size
    bg = _busy_background(width, height, rng)
    doc = _arr(img).astype(np.float32)
    dh, dw = doc.shape[:2]
    target_w = width * doc_frac
    target_h = target_w * dh / dw
    cx, cy = width / 2 + rng.uniform(-40, 40), height / 2 + rng.uniform(-30, 30)
    angle = math.radians(rng.uniform(-4, 4) - turn)
    corners = np.array(
        [
            [-target_w / 2, -target_h / 2],
            [target_w / 2, -target_h / 2],
            [target_w / 2, target_h / 2],
            [-target_w / 2, target_h / 2],
        ]
    )
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    corners = corners @ rot.T + [cx, cy]
    corners += rng.uniform(-0.03, 0.03, (4, 2)) * [target_w, target_h]  # perspective
    src = np.array([[0, 0], [dw, 0], [dw, dh], [0, dh]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(src, corners.astype(np.float32))
    warped = cv2.warpPerspective(doc, matrix, (width, height), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(
        np.ones((dh, dw), np.float32), matrix, (width, height), flags=cv2.INTER_LINEAR
    )
    out = bg * (1 - mask[..., None]) + warped * mask[..., None]
    # uneven light: a linear gradient and a warm cast
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    gx, gy = rng.uniform(-1, 1, 2)
    light = 0.88 + 0.14 * ((x / width - 0.5) * gx + (y / height - 0.5) * gy)
    out *= light[..., None] * np.array([1.0, 0.97, 0.9], np.float32)
    # glare: a soft white spot over the upper part of the document, never the whole MRZ (or,
    # with `glare_on_zone`, over the left or right part of the MRZ)
    gx0, gy0 = cx + rng.uniform(-0.3, 0.3) * target_w, cy - rng.uniform(0.05, 0.3) * target_h
    strength = 0.6
    if glare_on_zone:
        gy0, strength = cy + 0.38 * target_h, 0.7
    glare = np.exp(-(((x - gx0) / (0.16 * target_w)) ** 2 + ((y - gy0) / (0.1 * target_h)) ** 2))
    out = out * (1 - strength * glare[..., None]) + 255 * strength * glare[..., None]
    out = cv2.GaussianBlur(out, (0, 0), 1.3)
    out += rng.normal(0, 7, out.shape)
    return Image.fromarray(out.clip(0, 255).astype(np.uint8))


# ---------------------------------------------------------------------------------------------
# writing


def _save(img: Image.Image, name: str, **params: object) -> int:
    """Save deterministically (no timestamps in the files) and return the size in bytes."""
    path = HERE / name
    fmt = {".png": "PNG", ".jpg": "JPEG", ".pdf": "PDF"}[path.suffix]
    if fmt == "PNG":
        params = {"optimize": True, **params}
    if fmt == "PDF":  # fixed dates: the same input always gives the same bytes
        stamp = dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timetuple()
        params = {
            "creationDate": stamp,
            "modDate": stamp,
            "producer": "screening samples",
            **params,
        }
    img.save(path, fmt, **params)
    return path.stat().st_size


def _record(
    name: str, h: Holder | None, lines: tuple[str, ...], variant: str, **extra: object
) -> dict[str, object]:
    row: dict[str, object] = {
        "file": name,
        "doc_type": h.doc_type if h else None,
        "variant": variant,
        "lines": list(lines),
    }
    if h is not None:
        row["fields"] = fields(h)
        row["dates"] = dates(h)
    row.update(extra)
    return row


def main() -> None:
    """Render, degrade, write every sample and the manifest."""
    holders = {h.key: h for h in HOLDERS}
    mrz = {}
    for h in HOLDERS:
        mrz[h.key] = mrz_lines(h)
        verify(mrz[h.key], h.doc_type)

    td3 = render_td3(holders["td3"], mrz["td3"])
    td1 = render_td1_back(holders["td1"], mrz["td1"])
    td1_front = render_td1_front(holders["td1"])
    td2 = render_td2(holders["td2"], mrz["td2"])
    visa = render_visa(holders["visa"], mrz["visa"])
    clean = {"td3": td3, "td1": td1, "td2": td2, "visa": visa}

    rows: list[dict[str, object]] = []
    sizes: dict[str, int] = {}

    def emit(
        name: str,
        img: Image.Image,
        key: str | None,
        variant: str,
        params: dict[str, object] | None = None,
        **extra: object,
    ) -> None:
        sizes[name] = _save(img, name, **(params or {}))
        h = holders[key] if key else None
        lines = mrz[key] if key else ()
        rows.append(_record(name, h, lines, variant, pages=1, mrz_page=0 if key else None, **extra))

    jpeg = {"quality": 70, "subsampling": 2}
    for key, img in clean.items():
        emit(f"{key}_clean.jpg", img, key, "clean", jpeg, dpi=300, rotation_ccw=0)
    emit(
        "td1_front_no_mrz.jpg",
        td1_front,
        None,
        "negative",
        jpeg,
        dpi=300,
        rotation_ccw=0,
        note="front of the TD1 card: visual zone only, no MRZ",
    )

    emit("td3_rot90.jpg", rotate_quarter(td3, 1), "td3", "rotated", jpeg, dpi=300, rotation_ccw=90)
    emit(
        "td3_rot180.jpg", rotate_quarter(td3, 2), "td3", "rotated", jpeg, dpi=300, rotation_ccw=180
    )
    emit(
        "td1_rot270.jpg", rotate_quarter(td1, 3), "td1", "rotated", jpeg, dpi=300, rotation_ccw=270
    )
    emit(
        "visa_rot90.jpg", rotate_quarter(visa, 1), "visa", "rotated", jpeg, dpi=300, rotation_ccw=90
    )
    emit(
        "td2_rot180.jpg", rotate_quarter(td2, 2), "td2", "rotated", jpeg, dpi=300, rotation_ccw=180
    )

    emit("td3_skew7.jpg", skew(td3, 7), "td3", "skewed", jpeg, dpi=300, rotation_ccw=7)
    emit("td1_skew-7.jpg", skew(td1, -7), "td1", "skewed", jpeg, dpi=300, rotation_ccw=-7)
    emit("td2_skew12.jpg", skew(td2, 12), "td2", "skewed", jpeg, dpi=300, rotation_ccw=12)

    for key in ("td3", "td1", "td2", "visa"):
        emit(
            f"{key}_100dpi.png",
            low_resolution(clean[key], 100),
            key,
            "low_resolution",
            dpi=100,
            rotation_ccw=0,
        )

    emit(
        "td3_photo.jpg",
        phone_photo(td3, seed=81),
        "td3",
        "phone_photo",
        {"quality": 30},
        rotation_ccw=None,
    )
    emit(
        "td1_photo.jpg",
        phone_photo(td1, seed=82, doc_frac=0.55),
        "td1",
        "phone_photo",
        {"quality": 30},
        rotation_ccw=None,
    )
    emit(
        "visa_photo.jpg",
        phone_photo(visa, seed=83),
        "visa",
        "phone_photo",
        {"quality": 30},
        rotation_ccw=None,
    )

    emit(
        "td2_photo_slant35.jpg",
        phone_photo(td2, seed=85, doc_frac=0.55, turn=35),
        "td2",
        "phone_photo_slant",
        {"quality": 30},
        rotation_ccw=None,
        note="taken at a slant: the document is turned about 35 degrees",
    )

    emit(
        "td3_photo_glare.jpg",
        phone_photo(td3, seed=86, glare_on_zone=True),
        "td3",
        "phone_photo_glare",
        {"quality": 30},
        rotation_ccw=None,
        note="a reflection over part of the MRZ: the print under it keeps a third of its contrast",
    )

    # A phone photo stored sideways with EXIF orientation 6: upright only if EXIF is applied.
    sideways = rotate_quarter(phone_photo(td2, seed=84), 1)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display"
    emit(
        "td2_photo_exif6.jpg",
        sideways,
        "td2",
        "exif_orientation",
        {"quality": 40, "exif": exif.tobytes()},
        rotation_ccw=None,
        exif_orientation=6,
    )

    # Two-page PDFs: pages embedded as JPEG at 200 dpi, declared as such, so each page has the
    # document's real size (a reader rasterising at 200 dpi gets the pixels back 1:1).
    def pdf_page(img: Image.Image) -> Image.Image:
        buffer = io.BytesIO()
        low_resolution(img, 200).save(buffer, "JPEG", quality=75)
        return Image.open(io.BytesIO(buffer.getvalue()))

    name = "td1_front_back.pdf"
    sizes[name] = _save(
        pdf_page(td1_front), name, save_all=True, append_images=[pdf_page(td1)], resolution=200
    )
    rows.append(
        _record(
            name,
            holders["td1"],
            mrz["td1"],
            "pdf_two_pages",
            pages=2,
            mrz_page=1,
            dpi=200,
            rotation_ccw=0,
            note="page 1 is the card front (no MRZ), page 2 the back with the MRZ",
        )
    )
    name = "td3_and_visa.pdf"
    sizes[name] = _save(
        pdf_page(td3), name, save_all=True, append_images=[pdf_page(visa)], resolution=200
    )
    rows.append(
        _record(
            name,
            holders["td3"],
            mrz["td3"],
            "pdf_two_documents",
            pages=2,
            mrz_page=0,
            dpi=200,
            rotation_ccw=0,
            note="page 2 holds a second document, the visa",
            other_documents=[
                {
                    "page": 1,
                    "doc_type": "MRV-A",
                    "lines": list(mrz["visa"]),
                    "fields": fields(holders["visa"]),
                    "dates": dates(holders["visa"]),
                }
            ],
        )
    )

    with (HERE / "manifest.jsonl").open("w", encoding="utf-8", newline="\n") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=True, sort_keys=True) + "\n")
    total = sum(sizes.values())
    for name, size in sizes.items():
        print(f"{size / 1024:8.1f} KiB  {name}")
    print(f"{total / 1024:8.1f} KiB  total, {len(sizes)} files")


if __name__ == "__main__":
    main()
