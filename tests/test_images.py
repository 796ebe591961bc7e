"""Tests for screening.images: every format, orientation, limits and each error code.

Every fixture is generated here with Pillow (or written byte by byte); nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pwd
import struct
import subprocess
import sys
import tempfile
import threading
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

from screening.errors import ImageUnreadable
from screening.images import Limits, LoadedDocument, load_document, sniff_format
from screening.mrz import checkdigit
from screening.mrz.layout import layout_for

# ---------------------------------------------------------------------------------------------
# helpers


def _marker_image(width: int = 120, height: int = 80) -> Image.Image:
    """White image with a solid red block in the stored top-left corner (for orientation)."""
    img = Image.new("RGB", (width, height), (255, 255, 255))
    img.paste((255, 0, 0), (0, 0, width // 3, height // 3))
    return img


def _save(img: Image.Image, path: Path, fmt: str, **kwargs: object) -> Path:
    img.save(path, fmt, **kwargs)
    return path


def _code(path: Path, limits: Limits | None = None) -> str:
    with pytest.raises(ImageUnreadable) as info:
        load_document(path, limits or Limits())
    assert str(path) in info.value.message, "the message names the file"
    return info.value.code


def _red_corner(bgr: np.ndarray) -> str:
    """Which corner of a BGR image holds the red block: tl, tr, bl or br."""
    h, w = bgr.shape[:2]
    corners = {
        "tl": bgr[2, 2],
        "tr": bgr[2, w - 3],
        "bl": bgr[h - 3, 2],
        "br": bgr[h - 3, w - 3],
    }
    red = [name for name, px in corners.items() if px[2] > 200 and px[1] < 80 and px[0] < 80]
    assert len(red) == 1, corners
    return red[0]


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_bomb(side: int) -> bytes:
    """A real 1-bit PNG bomb: side x side black pixels whose full IDAT compresses to < 2 MB."""
    row = 1 + (side + 7) // 8  # filter byte + packed bits, all zero
    total = row * side
    comp = zlib.compressobj(9)
    parts = []
    chunk = bytes(1 << 20)
    left = total
    while left:
        n = min(left, len(chunk))
        parts.append(comp.compress(chunk[:n]))
        left -= n
    parts.append(comp.flush())
    idat = b"".join(parts)
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


# Standard security handler, revision 2 (PDF 1.7, 7.6.3.3, algorithms 2 and 4).
_PDF_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def _encrypted_pdf(user_password: bytes) -> bytes:
    """A one-page PDF encrypted (RC4-40, R2) with `user_password`; b'' = permissions only."""
    file_id = b"0123456789abcdef"
    owner = hashlib.md5(b"owner-secret").digest() * 2  # any 32 bytes are a valid /O
    perms = -44
    padded = (user_password + _PDF_PAD)[:32]
    key = hashlib.md5(padded + owner + struct.pack("<i", perms) + file_id).digest()[:5]
    user = _rc4(key, _PDF_PAD)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <"
        + owner.hex().encode()
        + b"> /U <"
        + user.hex().encode()
        + b"> /P "
        + str(perms).encode()
        + b" >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 4 0 R /ID [<%s> <%s>] >>\n" % (
        len(objects) + 1,
        file_id.hex().encode(),
        file_id.hex().encode(),
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


# ---------------------------------------------------------------------------------------------
# formats


@pytest.mark.parametrize(
    ("fmt", "suffix", "expected"),
    [
        ("JPEG", "jpg", "jpeg"),
        ("PNG", "png", "png"),
        ("TIFF", "tif", "tiff"),
        ("BMP", "bmp", "bmp"),
        ("WEBP", "webp", "webp"),
        ("PDF", "pdf", "pdf"),
    ],
)
def test_every_format_loads_as_bgr(tmp_path, fmt, suffix, expected):
    """Each supported format decodes to one upright BGR uint8 page with the right colours."""
    path = _save(_marker_image(), tmp_path / f"doc.{suffix}", fmt)
    doc = load_document(path)
    assert isinstance(doc, LoadedDocument)
    assert doc.format == expected
    assert doc.total_pages == 1
    assert doc.notes == ()
    assert doc.path == str(path)
    (page,) = doc.pages
    assert page.index == 0
    assert page.image.dtype == np.uint8
    assert page.image.ndim == 3
    assert page.image.shape[2] == 3
    assert page.image.flags["C_CONTIGUOUS"]
    if fmt != "PDF":  # Pillow's PDF writer uses 72 dpi; we render at 200
        assert page.image.shape == (80, 120, 3)
    assert _red_corner(page.image) == "tl"


def test_two_page_tiff_gives_two_pages(tmp_path):
    """Every TIFF frame becomes a page, in order."""
    first = Image.new("RGB", (50, 40), (255, 0, 0))
    second = Image.new("RGB", (30, 60), (0, 0, 255))
    path = tmp_path / "two.tiff"
    first.save(path, "TIFF", save_all=True, append_images=[second])
    doc = load_document(path)
    assert doc.total_pages == 2
    assert [p.index for p in doc.pages] == [0, 1]
    assert doc.pages[0].image.shape == (40, 50, 3)
    assert doc.pages[1].image.shape == (60, 30, 3)
    assert tuple(doc.pages[0].image[0, 0]) == (0, 0, 255)  # red in BGR
    assert tuple(doc.pages[1].image[0, 0]) == (255, 0, 0)  # blue in BGR
    assert doc.notes == ()


def test_bigtiff_pages_are_counted_and_read(tmp_path):
    """BigTIFF (64-bit offsets) is a TIFF too: every page is read."""
    path = tmp_path / "big.tiff"
    page = Image.new("RGB", (30, 20), (0, 200, 0))
    page.save(path, "TIFF", big_tiff=True, save_all=True, append_images=[page])
    assert path.read_bytes()[:4] == b"II+\x00"
    doc = load_document(path)
    assert doc.total_pages == 2
    assert [p.image.shape for p in doc.pages] == [(20, 30, 3), (20, 30, 3)]


def test_three_page_tiff_above_limit_says_so(tmp_path):
    """A TIFF with more frames than max_pages keeps the first ones and notes pages_truncated."""
    frames = [Image.new("L", (20, 20), shade) for shade in (10, 100, 200)]
    path = tmp_path / "three.tiff"
    frames[0].save(path, "TIFF", save_all=True, append_images=frames[1:])
    assert len(load_document(path).pages) == 3
    doc = load_document(path, Limits(max_pages=2))
    assert doc.total_pages == 3
    assert len(doc.pages) == 2
    assert "pages_truncated" in doc.notes


def _tiff_with_ifd_chain(pages: int, *, loop: bool = False) -> bytes:
    """A 4x4 grey TIFF whose single IFD is repeated `pages` times (or points back at itself)."""
    buffer = io.BytesIO()
    Image.new("L", (4, 4), 90).save(buffer, "TIFF")
    data = buffer.getvalue()
    first = struct.unpack_from("<I", data, 4)[0]
    entries = struct.unpack_from("<H", data, first)[0]
    ifd_size = 2 + 12 * entries + 4
    ifd = bytearray(data[first : first + ifd_size])
    if loop:
        struct.pack_into("<I", ifd, ifd_size - 4, first)
        return data[:first] + bytes(ifd) + data[first + ifd_size :]
    out = bytearray(data[: first + ifd_size])
    for _ in range(1, pages):
        start = len(out)
        struct.pack_into("<I", out, start - 4, start)  # previous IFD -> this copy
        out += ifd
    struct.pack_into("<I", out, len(out) - 4, 0)
    return bytes(out)


def test_tiff_with_thousands_of_pages_is_counted_without_decoding_them(tmp_path):
    """Counting 20,000 pages walks the IFD chain only; just max_pages are decoded."""
    path = tmp_path / "many.tiff"
    path.write_bytes(_tiff_with_ifd_chain(20_000))
    doc = load_document(path, Limits(max_pages=3))
    assert doc.total_pages == 20_000
    assert [p.index for p in doc.pages] == [0, 1, 2]
    assert "pages_truncated" in doc.notes


def test_tiff_whose_ifd_chain_loops_is_one_page(tmp_path):
    """An IFD pointing back at itself is counted once (no endless page list)."""
    path = tmp_path / "loop.tiff"
    path.write_bytes(_tiff_with_ifd_chain(1, loop=True))
    doc = load_document(path)
    assert doc.total_pages == 1
    assert len(doc.pages) == 1


def test_two_page_pdf_gives_two_pages(tmp_path):
    """Every PDF page is rasterised at pdf_dpi."""
    path = tmp_path / "two.pdf"
    _marker_image(144, 72).save(
        path, "PDF", resolution=72, save_all=True, append_images=[Image.new("RGB", (72, 72))]
    )
    doc = load_document(path, Limits(pdf_dpi=100))
    assert doc.format == "pdf"
    assert doc.total_pages == 2
    assert [p.index for p in doc.pages] == [0, 1]
    assert doc.pages[0].image.shape == (100, 200, 3)  # 2 x 1 inch at 100 dpi
    assert doc.pages[1].image.shape == (100, 100, 3)
    assert _red_corner(doc.pages[0].image) == "tl"
    assert doc.pages[1].image.max() < 30  # the black page stays black


def test_300_page_pdf_rasterises_only_max_pages(tmp_path):
    """A 300-page PDF is counted but only the first max_pages pages are rendered, with a note."""
    path = tmp_path / "long.pdf"
    page = Image.new("L", (36, 36), 255)
    page.save(path, "PDF", resolution=72, save_all=True, append_images=[page] * 299)
    doc = load_document(path)
    assert doc.total_pages == 300
    assert len(doc.pages) == Limits().max_pages
    assert "pages_truncated" in doc.notes
    doc = load_document(path, Limits(max_pages=3))
    assert [p.index for p in doc.pages] == [0, 1, 2]


def test_huge_pdf_page_is_rendered_within_the_pixel_cap(tmp_path):
    """A PDF page larger than max_pixels at pdf_dpi is rendered smaller, never above the cap."""
    path = tmp_path / "poster.pdf"
    Image.new("L", (720, 720), 255).save(path, "PDF", resolution=72)  # 10 x 10 inch
    doc = load_document(path, Limits(max_pixels=250_000, pdf_dpi=200))
    h, w, _ = doc.pages[0].image.shape
    assert h * w <= 250_000
    assert h > 400
    assert "pdf_page_downscaled" in doc.notes


@pytest.mark.parametrize(
    ("mode", "colour"),
    [
        ("L", 128),
        ("1", 1),
        ("P", 3),
        ("LA", (128, 255)),
        ("RGBA", (255, 0, 0, 255)),
        ("I;16", 65535),
        ("I", 40000),
    ],
)
def test_png_modes_become_bgr_uint8(tmp_path, mode, colour):
    """Grey, 1-bit, palette, alpha, 16-bit and 32-bit images all become 3-channel uint8."""
    img = Image.new(mode, (16, 12), colour)
    fmt = "TIFF" if mode == "I" else "PNG"  # PNG cannot hold 32-bit integers
    path = _save(img, tmp_path / "mode.img", fmt)
    image = load_document(path).pages[0].image
    assert image.shape == (12, 16, 3)
    assert image.dtype == np.uint8
    if mode in ("I;16", "I"):
        assert int(image[0, 0, 0]) == colour // 257  # 16-bit scaled down, not clipped


def test_transparent_pixels_are_composited_on_white(tmp_path):
    """A fully transparent PNG is white, not black: OCR sees paper, not ink."""
    path = _save(Image.new("RGBA", (10, 10), (0, 0, 0, 0)), tmp_path / "clear.png", "PNG")
    assert load_document(path).pages[0].image.min() == 255


def test_cmyk_jpeg_is_converted(tmp_path):
    """A CMYK JPEG (common from print workflows) is converted to BGR."""
    path = _save(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), tmp_path / "cmyk.jpg", "JPEG")
    px = load_document(path).pages[0].image[8, 8]
    assert px[2] > 200
    assert px[0] < 60


# ---------------------------------------------------------------------------------------------
# EXIF orientation


@pytest.mark.parametrize(
    ("orientation", "shape", "corner"),
    [
        (1, (80, 120, 3), "tl"),
        (3, (80, 120, 3), "br"),
        (6, (120, 80, 3), "tr"),
        (8, (120, 80, 3), "bl"),
    ],
)
def test_exif_orientation_is_applied(tmp_path, orientation, shape, corner):
    """The stored pixels are turned the way the camera's EXIF tag says (1, 3, 6, 8)."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / f"exif{orientation}.jpg"
    _marker_image().save(path, "JPEG", quality=95, exif=exif.tobytes())
    doc = load_document(path)
    assert doc.pages[0].image.shape == shape
    assert _red_corner(doc.pages[0].image) == corner
    assert ("exif_orientation_applied" in doc.notes) == (orientation != 1)


def test_invalid_exif_orientation_is_ignored(tmp_path):
    """An orientation value outside 1-8 leaves the pixels as stored, without a note."""
    exif = Image.Exif()
    exif[0x0112] = 9
    path = tmp_path / "exif9.jpg"
    _marker_image().save(path, "JPEG", quality=95, exif=exif.tobytes())
    doc = load_document(path)
    assert doc.pages[0].image.shape == (80, 120, 3)
    assert doc.notes == ()


@pytest.mark.parametrize(
    "payload",
    [b"II*\x00\xff\xff\xff\x7f", b"MM\x00*\x00\x00\x00\x08\x00\x05\x01\x12", b"junkjunkjunk"],
)
def test_damaged_exif_does_not_make_the_image_unreadable(tmp_path, payload):
    """Broken EXIF metadata (Pillow only warns) still gives the stored pixels."""
    buffer = io.BytesIO()
    _marker_image().save(buffer, "JPEG", quality=95)
    data = buffer.getvalue()
    body = b"Exif\x00\x00" + payload
    app1 = b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body
    path = tmp_path / "badexif.jpg"
    path.write_bytes(data[:2] + app1 + data[2:])
    doc = load_document(path)
    assert doc.pages[0].image.shape == (80, 120, 3)
    assert _red_corner(doc.pages[0].image) == "tl"


# ---------------------------------------------------------------------------------------------
# magic bytes, not extensions


def test_sniff_format_reads_magic_bytes():
    """sniff_format looks only at the leading bytes."""
    assert sniff_format(b"\xff\xd8\xff\xe0rest") == "jpeg"
    assert sniff_format(b"\x89PNG\r\n\x1a\n....") == "png"
    assert sniff_format(b"II*\x00\x08\x00\x00\x00") == "tiff"
    assert sniff_format(b"MM\x00*\x00\x00\x00\x08") == "tiff"
    assert sniff_format(b"BM" + bytes(60)) == "bmp"
    assert sniff_format(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "webp"
    assert sniff_format(b"%PDF-1.7\n") == "pdf"
    assert sniff_format(b"\x00\x00junk before %PDF-1.4\n") == "pdf"
    assert sniff_format(b"") is None
    assert sniff_format(b"P<UTOERIKSSON<<ANNA") is None
    assert sniff_format(b"GIF89a") is None
    assert sniff_format(b"RIFF\x10\x00\x00\x00WAVEfmt ") is None


def test_magic_bytes_beat_the_extension(tmp_path):
    """A PNG named .jpg is read as PNG, a PDF named .jpg as PDF, a JPEG named .pdf as JPEG."""
    png = _save(_marker_image(), tmp_path / "png.jpg", "PNG")
    pdf = _save(_marker_image(), tmp_path / "pdf.jpg", "PDF")
    jpeg = _save(_marker_image(), tmp_path / "jpeg.pdf", "JPEG")
    assert load_document(png).format == "png"
    assert load_document(pdf).format == "pdf"
    assert load_document(jpeg).format == "jpeg"


def test_text_file_named_jpg_is_unsupported(tmp_path):
    """A text file with an image extension is refused as unsupported_format."""
    path = tmp_path / "mrz.jpg"
    path.write_text("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n")
    with pytest.raises(ImageUnreadable) as info:
        load_document(path)
    assert info.value.code == "unsupported_format"
    assert "ERIKSSON" not in info.value.message  # messages never carry file content


def test_unsupported_image_type_is_refused(tmp_path):
    """A GIF is a real image but not an accepted format."""
    path = _save(_marker_image(), tmp_path / "doc.gif", "GIF")
    assert _code(path) == "unsupported_format"


# ---------------------------------------------------------------------------------------------
# damaged files


def test_empty_file(tmp_path):
    """A 0-byte file is empty_file."""
    path = tmp_path / "x.jpg"
    path.write_bytes(b"")
    assert _code(path) == "empty_file"


def _noise(width: int = 300, height: int = 200) -> Image.Image:
    rng = np.random.default_rng(7)
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))


@pytest.mark.parametrize(
    ("fmt", "kwargs"),
    [
        ("JPEG", {}),
        ("PNG", {}),
        ("TIFF", {}),
        ("BMP", {}),
        ("WEBP", {}),
    ],
)
@pytest.mark.parametrize("keep", [0.5, 0.9, -2])
def test_truncated_raster_is_corrupt(tmp_path, fmt, kwargs, keep):
    """A file cut short is corrupt_image: no partial (half-grey) decode reaches the OCR."""
    buffer = io.BytesIO()
    _noise().save(buffer, fmt, **kwargs)
    data = buffer.getvalue()
    cut = data[:keep] if keep < 0 else data[: int(len(data) * keep)]
    path = tmp_path / f"cut.{fmt.lower()}"
    path.write_bytes(cut)
    assert _code(path) == "corrupt_image"


def test_progressive_jpeg_cut_between_scans_is_corrupt(tmp_path):
    """A progressive JPEG missing its last scans would decode blurred but whole: still refused."""
    buffer = io.BytesIO()
    _noise().save(buffer, "JPEG", progressive=True)
    data = buffer.getvalue()
    last_scan = data.rfind(b"\xff\xda")
    path = tmp_path / "prog.jpg"
    path.write_bytes(data[:last_scan])
    assert _code(path) == "corrupt_image"


def test_bytes_after_the_jpeg_end_are_allowed(tmp_path):
    """Cameras append data after the end-of-image marker; such files still load."""
    buffer = io.BytesIO()
    _marker_image().save(buffer, "JPEG")
    path = tmp_path / "tail.jpg"
    path.write_bytes(buffer.getvalue() + b"\x00" * 64 + b"vendor trailer")
    assert load_document(path).pages[0].image.shape == (80, 120, 3)


def test_truncated_multipage_tiff_is_corrupt(tmp_path):
    """A multi-page TIFF cut in its second page is refused, not returned as page 1 only."""
    buffer = io.BytesIO()
    _noise().save(buffer, "TIFF", save_all=True, append_images=[_noise()])
    data = buffer.getvalue()
    path = tmp_path / "cut.tiff"
    path.write_bytes(data[: int(len(data) * 0.9)])
    assert _code(path) == "corrupt_image"


def test_partial_decoding_switched_on_elsewhere_is_refused(tmp_path, monkeypatch):
    """If another library enables Pillow's LOAD_TRUNCATED_IMAGES, we still refuse partial files."""
    buffer = io.BytesIO()
    _noise().save(buffer, "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(buffer.getvalue()[:-500])
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    assert _code(path) == "corrupt_image"


def test_garbage_after_magic_is_corrupt(tmp_path):
    """Valid magic followed by junk is corrupt_image, for images and PDFs alike."""
    for name, head in (("a.png", b"\x89PNG\r\n\x1a\n"), ("b.pdf", b"%PDF-1.4\n")):
        path = tmp_path / name
        path.write_bytes(head + b"not really" * 50)
        assert _code(path) == "corrupt_image"


def test_pdf_without_pages_is_corrupt(tmp_path):
    """A syntactically valid PDF with zero pages cannot be screened."""
    body = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    body += b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    xref = len(body)
    body += b"xref\n0 3\n0000000000 65535 f \n%010d 00000 n \n%010d 00000 n \n" % (
        9,
        body.index(b"2 0 obj"),
    )
    body += b"trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    path = tmp_path / "empty.pdf"
    path.write_bytes(body)
    assert _code(path) == "corrupt_image"


# ---------------------------------------------------------------------------------------------
# PDF encryption


def test_password_protected_pdf_is_refused_without_prompt(tmp_path):
    """A PDF that needs a user password is encrypted_pdf; nothing asks for the password."""
    path = tmp_path / "locked.pdf"
    path.write_bytes(_encrypted_pdf(b"secret"))
    assert _code(path) == "encrypted_pdf"


def test_permissions_only_encryption_is_read_with_a_note(tmp_path):
    """A PDF encrypted with an empty user password opens like in any viewer, and says so."""
    path = tmp_path / "restricted.pdf"
    path.write_bytes(_encrypted_pdf(b""))
    doc = load_document(path, Limits(pdf_dpi=72))
    assert doc.total_pages == 1
    assert doc.pages[0].image.shape == (100, 200, 3)
    assert "pdf_encrypted_without_password" in doc.notes


# ---------------------------------------------------------------------------------------------
# limits


def test_lowering_the_pixel_cap_rejects_a_small_image(tmp_path):
    """The cap is configurable: 100x100 passes at 10,000 pixels and fails at 9,999."""
    path = _save(Image.new("RGB", (100, 100)), tmp_path / "small.png", "PNG")
    assert len(load_document(path, Limits(max_pixels=10_000)).pages) == 1
    assert _code(path, Limits(max_pixels=9_999)) == "too_many_pixels"


@pytest.mark.parametrize("field", ["max_pixels", "max_pages", "max_bytes", "pdf_dpi"])
@pytest.mark.parametrize("value", [0, -1, 1.5, True])
def test_limits_must_be_positive_integers(field, value):
    """A zero or negative limit is a programming error, not a way to load nothing."""
    with pytest.raises(ValueError, match=field):
        Limits(**{field: value})


def test_animated_png_reads_the_first_frame_and_says_so(tmp_path):
    """Only TIFF and PDF pages are pages; an animated PNG gives frame 1 and a note."""
    path = tmp_path / "anim.png"
    first = Image.new("RGB", (20, 10), (255, 0, 0))
    first.save(path, "PNG", save_all=True, append_images=[Image.new("RGB", (20, 10), (0, 0, 255))])
    doc = load_document(path)
    assert doc.total_pages == 1
    assert len(doc.pages) == 1
    assert tuple(doc.pages[0].image[5, 5]) == (0, 0, 255)  # red, in BGR
    assert "extra_frames_ignored" in doc.notes


def test_pixel_cap_applies_to_every_tiff_page(tmp_path):
    """A small first page does not let a large second page through."""
    path = tmp_path / "mixed.tiff"
    Image.new("L", (10, 10)).save(
        path, "TIFF", save_all=True, append_images=[Image.new("L", (200, 200))]
    )
    assert _code(path, Limits(max_pixels=1_000)) == "too_many_pixels"


def test_sparse_2gb_file_is_too_large_from_stat(tmp_path):
    """A sparse 2 GB file is refused from stat() alone (reading it would take seconds)."""
    path = tmp_path / "huge.jpg"
    with path.open("wb") as handle:
        handle.truncate(2 * 1024**3)
    assert _code(path) == "file_too_large"


def test_byte_limit_is_configurable(tmp_path):
    """Lowering max_bytes below a file's size refuses it."""
    path = _save(_noise(), tmp_path / "noise.png", "PNG")
    assert _code(path, Limits(max_bytes=path.stat().st_size - 1)) == "file_too_large"
    assert load_document(path, Limits(max_bytes=path.stat().st_size)).format == "png"


_BOMB_CHILD = """
import json, resource, sys, time
from pathlib import Path
from screening.errors import ImageUnreadable
from screening.images import load_document
path = Path(sys.argv[1])
start = time.perf_counter()
try:
    load_document(path)
    code = None
except ImageUnreadable as exc:
    code = exc.code
elapsed = time.perf_counter() - start
print(json.dumps({"code": code, "seconds": elapsed,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


@pytest.mark.parametrize("side", [40_000, 20_000, 10_000], ids=["1.6Gpx", "400Mpx", "100Mpx"])
def test_png_bombs_are_rejected_fast_with_little_memory(tmp_path, side):
    """1.6 Gpx, 400 Mpx and 100 Mpx PNG bombs (< 2 MB each) are too_many_pixels before decoding.

    Measured in a fresh process so the peak RSS is the loader's own (limits from RELIABILITY
    case 5: under 1 s, under 300 MB; the real figures are milliseconds and ~70 MB).
    """
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_bomb(side))
    assert path.stat().st_size < 2 * 1024 * 1024
    proc = subprocess.run(
        [sys.executable, "-c", _BOMB_CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result = json.loads(proc.stdout)
    assert result["code"] == "too_many_pixels"
    assert result["seconds"] < 1.0
    assert result["peak_mib"] < 300


# ---------------------------------------------------------------------------------------------
# file system


def test_missing_file(tmp_path):
    """A path that does not exist is file_not_found."""
    assert _code(tmp_path / "nowhere.jpg") == "file_not_found"


def test_broken_symlink(tmp_path):
    """A dangling symlink is broken_link, not file_not_found."""
    link = tmp_path / "dangling.jpg"
    link.symlink_to(tmp_path / "gone.jpg")
    assert _code(link) == "broken_link"


def test_symlink_loop(tmp_path):
    """A symlink pointing at itself is broken_link and does not hang."""
    link = tmp_path / "loop.jpg"
    link.symlink_to(link)
    assert _code(link) == "broken_link"


def test_symlink_to_an_image_is_followed(tmp_path):
    """A working symlink is read like its target."""
    target = _save(_marker_image(), tmp_path / "real.png", "PNG")
    link = tmp_path / "link.jpg"
    link.symlink_to(target)
    assert load_document(link).format == "png"


def test_directory_is_not_a_regular_file(tmp_path):
    """A folder is not_regular_file."""
    assert _code(tmp_path) == "not_regular_file"


def test_fifo_is_never_opened(tmp_path):
    """A FIFO is not_regular_file at once; opening it would block forever (5 s guard)."""
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    outcome: list[str] = []

    def attempt() -> None:
        try:
            load_document(fifo)
        except ImageUnreadable as exc:
            outcome.append(exc.code)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout=5)
    if worker.is_alive():
        # Unblock the stuck open() so the daemon thread can finish, then fail.
        with fifo.open("wb"):
            pass
        pytest.fail("load_document blocked on a FIFO")
    assert outcome == ["not_regular_file"]


def _code_as_nobody(path: Path) -> str:
    """load_document's error code for `path`, computed in a forked child running as `nobody`."""
    nobody = pwd.getpwnam("nobody")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: drop privileges, report, exit without running pytest's teardown
        code = "crashed"
        try:
            os.close(read_end)
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            try:
                load_document(path)
                code = "loaded"
            except ImageUnreadable as exc:
                code = exc.code
        finally:
            os.write(write_end, code.encode())
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        result = reader.read().decode()
    os.waitpid(pid, 0)
    return result


def test_unreadable_file_is_permission_denied():
    """A mode-000 file is permission_denied (checked as `nobody` when the tests run as root)."""
    folder = Path(tempfile.mkdtemp(prefix="screening-perm-"))
    try:
        folder.chmod(0o755)
        path = _save(_marker_image(), folder / "locked.png", "PNG")
        path.chmod(0)
        if os.geteuid() != 0:
            assert _code(path) == "permission_denied"
            return
        try:
            pwd.getpwnam("nobody")
        except KeyError:
            pytest.skip("running as root and there is no `nobody` user to drop privileges to")
        assert _code_as_nobody(path) == "permission_denied"
        path.chmod(0o644)
        assert _code_as_nobody(path) == "loaded"  # the same file is fine once readable
    finally:
        for child in folder.iterdir():
            child.unlink()
        folder.rmdir()


# ---------------------------------------------------------------------------------------------
# robustness


@pytest.mark.property
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    head=st.sampled_from(
        [b"", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*", b"BM", b"%PDF-1.4\n"]
    ),
    body=st.binary(max_size=400),
)
def test_junk_only_raises_image_unreadable(tmp_path, head, body):
    """Random bytes behind any magic number give a page or ImageUnreadable, never another error."""
    path = tmp_path / "junk.bin"
    path.write_bytes(head + body)
    code = None
    try:
        doc = load_document(path, Limits(max_pixels=1_000_000))
    except ImageUnreadable as exc:
        code = exc.code
    else:
        assert all(p.image.ndim == 3 for p in doc.pages)
    assert code in {
        None,
        "empty_file",
        "unsupported_format",
        "corrupt_image",
        "too_many_pixels",
        "encrypted_pdf",
    }


def test_loader_writes_no_temporary_files(tmp_path, monkeypatch):
    """Loading an image or PDF leaves nothing in the temp dir (nothing to leak, nothing to clean)."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setenv("TMPDIR", str(scratch))
    load_document(_save(_marker_image(), tmp_path / "a.pdf", "PDF"))
    load_document(_save(_marker_image(), tmp_path / "a.tiff", "TIFF"))
    assert list(scratch.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# the generated samples (samples/make_samples.py) all load as the manifest says

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _manifest() -> list[dict]:
    with (SAMPLES / "manifest.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_sample_manifest_matches_the_files():
    """Every sample file is in the manifest and every manifest row names an existing file."""
    listed = {row["file"] for row in _manifest()}
    present = {p.name for p in SAMPLES.iterdir() if p.suffix in {".jpg", ".png", ".pdf"}}
    assert listed == present
    assert sum((SAMPLES / name).stat().st_size for name in present) < 3 * 1024 * 1024


@pytest.mark.parametrize("row", _manifest(), ids=lambda row: row["file"])
def test_every_sample_loads(row):
    """Each sample decodes with its page count; MRZ lines in the manifest pass every check digit."""
    doc = load_document(SAMPLES / row["file"])
    assert doc.total_pages == row["pages"]
    assert len(doc.pages) == row["pages"]
    assert doc.format == {".jpg": "jpeg", ".png": "png", ".pdf": "pdf"}[Path(row["file"]).suffix]
    if row.get("exif_orientation") == 6:
        assert "exif_orientation_applied" in doc.notes
        assert doc.pages[0].image.shape[1] > doc.pages[0].image.shape[0]  # stored tall, shown wide
    lines = row["lines"]
    if not lines:
        assert row["variant"] == "negative"
        return
    layout = layout_for(len(lines), len(lines[0]), lines[0][0])
    assert layout is not None
    for check in layout.checks:
        digit = layout.spec(check.digit)
        if check.composite:
            data = "".join(lines[line][start:end] for line, start, end in check.composite)
        else:
            spec = layout.spec(check.data)
            data = lines[spec.line][spec.start : spec.end]
        assert checkdigit.is_valid(data, lines[digit.line][digit.start : digit.end]), check.code


def test_every_real_specimen_image_loads(shared_data):
    """All real scans, photos and renders in ../shared/data/mrz load as upright BGR pages."""
    folder = shared_data / "mrz"
    with (folder / "images.jsonl").open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    assert rows
    for row in rows:
        doc = load_document(folder / "images" / row["file"])
        assert doc.format in {"jpeg", "png"}, row["file"]
        assert len(doc.pages) == 1, row["file"]
        image = doc.pages[0].image
        assert image.ndim == 3, row["file"]
        assert image.shape[2] == 3, row["file"]
        assert image.dtype == np.uint8, row["file"]
