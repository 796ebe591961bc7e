"""Image and PDF loading: a path on disk becomes a tuple of BGR pages, or a clear error.

This adapter owns everything between the file system and the OCR stage: it checks the path
(missing, broken link, FIFO, too large) with `stat` before opening anything, chooses the decoder
by magic bytes (never by extension), rejects decompression bombs from the header before decoding,
refuses partial decodes of truncated files, applies EXIF orientation, rasterises every PDF/TIFF
page up to a limit, and converts every page to 8-bit BGR for OpenCV. It writes no temporary files.
Every failure is an `ImageUnreadable` with a stable `code`; messages name the file, never its
content.
"""

from __future__ import annotations

import errno
import io
import math
import os
import stat
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from PIL import Image

from screening.errors import ImageUnreadable

__all__ = [
    "FORMATS",
    "Limits",
    "LoadedDocument",
    "Page",
    "load_document",
    "sniff_format",
]

FORMATS = ("jpeg", "png", "tiff", "bmp", "webp", "pdf")

# Pillow's plugin names for the raster formats we accept; no other plugin is ever tried.
_PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG", "tiff": "TIFF", "bmp": "BMP", "webp": "WEBP"}

# How many leading bytes `sniff_format` needs; PDF readers accept the header anywhere in the
# first 1024 bytes (PDF 1.7 Annex H.3, note 13), so we do too.
_HEAD_BYTES = 1024

# What Pillow's decoders raise on malformed input (Pillow's own fuzzers expect these). Anything
# else is a bug and must surface as one.
_DECODE_ERRORS = (
    OSError,
    ValueError,
    TypeError,
    SyntaxError,
    EOFError,
    IndexError,
    KeyError,
    ZeroDivisionError,
    OverflowError,
    struct.error,
)


@dataclass(frozen=True, slots=True)
class Limits:
    """Resource limits applied before any expensive work."""

    max_pixels: int = 40_000_000  # per page, checked from the header BEFORE decoding
    max_pages: int = 10  # PDF / TIFF pages rasterised; more -> note "pages_truncated"
    max_bytes: int = 50 * 1024 * 1024  # from stat(), before any read -> "file_too_large"
    pdf_dpi: int = 200

    def __post_init__(self) -> None:
        """Refuse limits that would silently load nothing (a programming error, not input)."""
        for name in ("max_pixels", "max_pages", "max_bytes", "pdf_dpi"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Limits.{name} must be a positive integer, got {value!r}")


@dataclass(frozen=True, slots=True)
class Page:
    """One decoded page or frame."""

    index: int  # 0-based page / frame
    image: npt.NDArray[np.uint8]  # BGR uint8 HxWx3, EXIF orientation applied


@dataclass(frozen=True, slots=True)
class LoadedDocument:
    """A decoded file: its detected format, the pages we rasterised and what we noticed."""

    path: str
    format: str  # "jpeg" | "png" | "tiff" | "bmp" | "webp" | "pdf"
    pages: tuple[Page, ...]
    total_pages: int
    notes: tuple[str, ...]  # e.g. "pages_truncated"


def sniff_format(head: bytes) -> str | None:
    """The format named by the file's magic bytes, or None; the extension is never consulted."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head.startswith(b"BM") and len(head) >= 26:
        return "bmp"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if b"%PDF-" in head[:_HEAD_BYTES]:
        return "pdf"
    return None


def load_document(path: Path, limits: Limits = Limits()) -> LoadedDocument:
    """Decode `path` into BGR pages within `limits`; ImageUnreadable (with a code) otherwise."""
    path = Path(path)  # a str works too
    name = str(path)
    data = _read_regular_file(path, name, limits)
    fmt = sniff_format(data[:_HEAD_BYTES])
    if fmt is None:
        raise ImageUnreadable(
            f"The file {name} is not a JPEG, PNG, TIFF, BMP, WebP or PDF file "
            "(checked by its content, not its name).",
            code="unsupported_format",
        )
    if fmt == "pdf":
        return _load_pdf(data, name, limits)
    return _load_raster(data, fmt, name, limits)


# ---------------------------------------------------------------------------------------------
# File system: every check is made from stat() before the file is opened.


def _read_regular_file(path: Path, name: str, limits: Limits) -> bytes:
    """The whole file's bytes, after checking type and size without opening it."""
    try:
        link_info = path.lstat()
    except FileNotFoundError:
        raise ImageUnreadable(f"The file {name} does not exist.", code="file_not_found") from None
    except PermissionError:
        raise _permission_denied(name) from None
    except OSError as exc:
        raise _os_error(name, exc) from None
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        if stat.S_ISLNK(link_info.st_mode):
            raise ImageUnreadable(
                f"The file {name} is a symbolic link whose target does not exist.",
                code="broken_link",
            ) from None
        raise ImageUnreadable(f"The file {name} does not exist.", code="file_not_found") from None
    except PermissionError:
        raise _permission_denied(name) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ImageUnreadable(
                f"The file {name} is a symbolic link that loops back on itself.",
                code="broken_link",
            ) from None
        raise _os_error(name, exc) from None
    _check_stat(info, name, limits)
    # O_NONBLOCK: should the path be swapped for a FIFO after the check, open() still returns.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except PermissionError:
        raise _permission_denied(name) from None
    except FileNotFoundError:
        raise ImageUnreadable(f"The file {name} does not exist.", code="file_not_found") from None
    except OSError as exc:
        raise _os_error(name, exc) from None
    try:
        # Check again on the open descriptor: the path may have changed since stat().
        _check_stat(os.fstat(fd), name, limits)
        with os.fdopen(fd, "rb", closefd=True) as handle:
            fd = -1
            data = handle.read(limits.max_bytes + 1)
    except OSError as exc:
        raise _os_error(name, exc) from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > limits.max_bytes:
        raise _too_large(name, len(data), limits)
    if not data:
        raise ImageUnreadable(
            f"The file {name} is empty (0 bytes); there is nothing to screen.", code="empty_file"
        )
    return data


def _check_stat(info: os.stat_result, name: str, limits: Limits) -> None:
    """Reject anything but a regular file of a sensible size."""
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise ImageUnreadable(
            f"The path {name} is {kind} (e.g. a pipe or device); only regular files are read.",
            code="not_regular_file",
        )
    if info.st_size == 0:
        raise ImageUnreadable(
            f"The file {name} is empty (0 bytes); there is nothing to screen.", code="empty_file"
        )
    if info.st_size > limits.max_bytes:
        raise _too_large(name, info.st_size, limits)


def _too_large(name: str, size: int, limits: Limits) -> ImageUnreadable:
    return ImageUnreadable(
        f"The file {name} is {size / 1048576:.1f} MiB, above the limit of "
        f"{limits.max_bytes / 1048576:.1f} MiB; it was not read.",
        code="file_too_large",
    )


def _permission_denied(name: str) -> ImageUnreadable:
    return ImageUnreadable(
        f"The file {name} cannot be read: permission denied. Check its permissions.",
        code="permission_denied",
    )


def _os_error(name: str, exc: OSError) -> ImageUnreadable:
    reason = os.strerror(exc.errno) if exc.errno else type(exc).__name__
    return ImageUnreadable(f"The file {name} cannot be read ({reason}).", code="read_error")


# ---------------------------------------------------------------------------------------------
# Raster formats (Pillow).


def _corrupt(name: str, what: str) -> ImageUnreadable:
    return ImageUnreadable(
        f"The file {name} is damaged or incomplete ({what}); it was not screened.",
        code="corrupt_image",
    )


def _check_pixels(width: int, height: int, name: str, limits: Limits, page: int) -> None:
    """Reject a page whose header promises too many pixels, before any decoding."""
    if width <= 0 or height <= 0:
        raise _corrupt(name, f"page {page + 1} has no pixels")
    if width * height > limits.max_pixels:
        raise ImageUnreadable(
            f"The file {name} declares a {width}x{height} image on page {page + 1} "
            f"({width * height / 1e6:.0f} megapixels), above the limit of "
            f"{limits.max_pixels / 1e6:g} megapixels; it was not decoded.",
            code="too_many_pixels",
        )


def _load_raster(data: bytes, fmt: str, name: str, limits: Limits) -> LoadedDocument:
    from PIL import Image, ImageFile  # noqa: PLC0415 - heavy import kept off the CLI start path

    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Another library switched on Pillow's partial decoding; we never OCR a partial image.
        raise ImageUnreadable(
            "Pillow is configured to accept truncated images (ImageFile.LOAD_TRUNCATED_IMAGES); "
            f"the file {name} was not read. Unset that option.",
            code="corrupt_image",
        )
    missing_end = _missing_end_marker(data, fmt)
    if missing_end:
        raise _corrupt(name, missing_end)
    notes: list[str] = []
    pages: list[Page] = []
    # Pillow warns about odd metadata and about its own bomb threshold; our limits decide instead.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            img = Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[fmt]])
        except Image.DecompressionBombError:
            raise ImageUnreadable(
                f"The file {name} declares more pixels than the decoder allows; "
                "it was not decoded.",
                code="too_many_pixels",
            ) from None
        except _DECODE_ERRORS as exc:
            raise _corrupt(name, _short(exc)) from None
        with img:
            try:
                total = _count_tiff_pages(data) if fmt == "tiff" else 1
                if fmt != "tiff" and int(getattr(img, "n_frames", 1)) > 1:
                    notes.append("extra_frames_ignored")
                count = min(total, limits.max_pages)
                for index in range(count):
                    if index:
                        img.seek(index)
                    _check_pixels(img.width, img.height, name, limits, index)
                    img.load()
                    pages.append(Page(index=index, image=_to_bgr(img, notes)))
            except Image.DecompressionBombError:
                raise ImageUnreadable(
                    f"The file {name} declares more pixels than the decoder allows; "
                    "it was not decoded.",
                    code="too_many_pixels",
                ) from None
            except _DECODE_ERRORS as exc:
                raise _corrupt(name, _short(exc)) from None
    if total > len(pages):
        notes.append("pages_truncated")
    return LoadedDocument(
        path=name, format=fmt, pages=tuple(pages), total_pages=total, notes=tuple(notes)
    )


def _count_tiff_pages(data: bytes) -> int:
    """How many images the TIFF's IFD chain holds, walked from the raw bytes.

    Pillow's `n_frames` parses every IFD in full, about 150 us each: a 50 MB file of tiny pages
    would take a minute to count. Following only the next-IFD offsets is fast, and a visited set
    stops a chain that loops. A chain that runs off the file ends the count there (the pages we
    decode are still checked by Pillow).
    """
    order = "<" if data[:2] == b"II" else ">"
    big = data[2:4] in (b"+\x00", b"\x00+")
    if big:  # BigTIFF: 8-byte offsets, 20-byte entries
        head, count_fmt, entry, offset_fmt = 8, "Q", 20, "Q"
    else:
        head, count_fmt, entry, offset_fmt = 4, "H", 12, "I"
    count_size, offset_size = struct.calcsize(count_fmt), struct.calcsize(offset_fmt)
    try:
        (offset,) = struct.unpack_from(order + offset_fmt, data, head)
    except struct.error:
        return 1
    seen: set[int] = set()
    while offset and offset not in seen and offset + count_size <= len(data):
        seen.add(offset)
        (entries,) = struct.unpack_from(order + count_fmt, data, offset)
        next_at = offset + count_size + entries * entry
        if next_at + offset_size > len(data):
            break
        (offset,) = struct.unpack_from(order + offset_fmt, data, next_at)
    return max(len(seen), 1)


def _missing_end_marker(data: bytes, fmt: str) -> str | None:
    """Why a JPEG or PNG lacks its end marker, or None when it has one.

    Pillow accepts a JPEG without EOI or a PNG without IEND when the pixel data it needs happens
    to be complete; a progressive JPEG cut between scans then decodes to a blurred but whole
    image. A file cut short is damaged evidence either way, so it is refused. Bytes after the
    marker (cameras append data) are allowed.
    """
    if fmt == "jpeg":
        last_scan = data.rfind(b"\xff\xda")
        if last_scan < 0 or data.find(b"\xff\xd9", last_scan + 2) < 0:
            return "the JPEG end-of-image marker is missing"
    elif fmt == "png" and b"IEND\xaeB`\x82" not in data:
        return "the PNG end chunk is missing"
    return None


def _short(exc: BaseException) -> str:
    """A decoder's reason without echoing file content (Pillow's messages name no data)."""
    text = str(exc).split("<", 1)[0].strip().rstrip(".")
    return text[:120] if text else type(exc).__name__


def _to_bgr(img: Image.Image, notes: list[str]) -> npt.NDArray[np.uint8]:
    """The frame as contiguous BGR uint8, EXIF-upright, alpha composited on white."""
    import numpy as np  # noqa: PLC0415
    from PIL import Image, ImageOps  # noqa: PLC0415

    try:
        orientation = img.getexif().get(0x0112, 1)
    except _DECODE_ERRORS:
        # Damaged metadata does not make the pixels unreadable; the image is used as stored.
        orientation = 1
        if "exif_unreadable" not in notes:
            notes.append("exif_unreadable")
    if orientation in range(2, 9):
        upright = ImageOps.exif_transpose(img)
        if upright is not None and upright is not img:
            img = upright
            if "exif_orientation_applied" not in notes:
                notes.append("exif_orientation_applied")
    mode = img.mode
    if mode.startswith("I;16") or mode in ("I", "F"):
        gray = np.asarray(img)
        if mode == "F":
            gray = np.nan_to_num(gray.astype(np.float64))
            low, high = float(gray.min()), float(gray.max())
            scaled = (gray - low) * (255.0 / (high - low)) if high > low else gray * 0
        elif mode == "I" and int(gray.max(initial=0)) <= 255 and int(gray.min(initial=0)) >= 0:
            scaled = gray
        else:
            scaled = np.clip(gray.astype(np.int64), 0, 65535) // 257
        plane = np.clip(scaled, 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(plane[:, :, None], 3, axis=2))
    if img.has_transparency_data:
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        rgb = Image.alpha_composite(background, rgba).convert("RGB")
    else:
        rgb = img.convert("RGB")
    arr = np.asarray(rgb, dtype=np.uint8)
    return np.ascontiguousarray(arr[:, :, ::-1])


# ---------------------------------------------------------------------------------------------
# PDF (pypdfium2).


def _load_pdf(data: bytes, name: str, limits: Limits) -> LoadedDocument:
    import numpy as np  # noqa: PLC0415
    import pypdfium2 as pdfium  # noqa: PLC0415
    import pypdfium2.raw as pdfium_c  # noqa: PLC0415

    notes: list[str] = []
    try:
        # password=None: an encrypted PDF fails here; nobody is ever prompted.
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise ImageUnreadable(
                f"The PDF {name} is encrypted and needs a password; save an unprotected copy "
                "or export the page as an image.",
                code="encrypted_pdf",
            ) from None
        raise _corrupt(name, "not a readable PDF") from None
    try:
        if pdfium_c.FPDF_GetSecurityHandlerRevision(doc.raw) != -1:
            # Opened with the empty user password: only permissions are restricted.
            notes.append("pdf_encrypted_without_password")
        total = len(doc)
        if total <= 0:
            raise _corrupt(name, "the PDF has no pages")
        pages: list[Page] = []
        for index in range(min(total, limits.max_pages)):
            try:
                page = doc[index]
            except pdfium.PdfiumError:  # a page object that pdfium cannot load (fuzz finding)
                raise _corrupt(name, f"page {index + 1} cannot be loaded") from None
            try:
                width_pt, height_pt = page.get_size()
                if not (width_pt > 0 and height_pt > 0) or not math.isfinite(width_pt * height_pt):
                    raise _corrupt(name, f"page {index + 1} has no size")
                scale = limits.pdf_dpi / 72.0
                if width_pt * height_pt * scale * scale > limits.max_pixels:
                    # A huge page is rendered smaller, not refused: the pixel cap still holds.
                    scale = math.sqrt(limits.max_pixels / (width_pt * height_pt)) * 0.999
                    if "pdf_page_downscaled" not in notes:
                        notes.append("pdf_page_downscaled")
                bitmap = page.render(
                    scale=scale,
                    force_bitmap_format=pdfium_c.FPDFBitmap_BGR,
                    may_draw_forms=False,
                )
                try:
                    image = np.array(bitmap.to_numpy(), dtype=np.uint8, copy=True, order="C")
                finally:
                    bitmap.close()
            except pdfium.PdfiumError:
                raise _corrupt(name, f"page {index + 1} cannot be rendered") from None
            finally:
                page.close()
            if image.ndim != 3 or image.shape[2] != 3 or image.size == 0:
                raise _corrupt(name, f"page {index + 1} rendered to an empty image")
            pages.append(Page(index=index, image=image))
    finally:
        doc.close()
    if total > len(pages):
        notes.append("pages_truncated")
    return LoadedDocument(
        path=name, format="pdf", pages=tuple(pages), total_pages=total, notes=tuple(notes)
    )
