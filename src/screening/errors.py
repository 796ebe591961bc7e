"""Errors that mean "cannot proceed"; findings (a failed check digit, a watchlist hit) are data.

Messages are full sentences that name the file and what to do. They never contain MRZ text,
names or document numbers (personal data under Indonesia's UU PDP). `code` is a stable,
machine-readable identifier used in JSON reports and documented in the README.
"""

from __future__ import annotations

__all__ = [
    "AuditError",
    "ConfigError",
    "EnvironmentProblem",
    "ImageUnreadable",
    "InputError",
    "MrzNotFound",
    "MrzSyntaxError",
    "OcrUnavailable",
    "ScreeningError",
    "WatchlistError",
]


class ScreeningError(Exception):
    """Root of every error the program expects; anything else is a bug."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        """Keep a stable machine-readable `code` beside the human message."""
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        """The human sentence."""
        return str(self.args[0]) if self.args else ""


class InputError(ScreeningError):
    """The input (file, image, text) cannot be screened."""

    code = "input_error"


class ImageUnreadable(InputError):
    """The file is not an image or PDF we can decode, or exceeds a limit."""

    code = "image_unreadable"


class MrzNotFound(InputError):
    """No machine-readable zone was found in the image (never a guess)."""

    code = "no_mrz_found"


class MrzSyntaxError(InputError, ValueError):
    """MRZ text that cannot be parsed into any ICAO 9303 layout.

    `problems` lists every problem found, not only the first; each is a sentence with its
    position. `line` and `span` point at the first one (0-based), like packaging's errors.
    """

    code = "mrz_syntax"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        problems: tuple[str, ...] = (),
        line: int | None = None,
        span: tuple[int, int] | None = None,
    ) -> None:
        """Record every problem and where the first one is."""
        super().__init__(message, code=code)
        self.problems = problems or (message,)
        self.line = line
        self.span = span


class WatchlistError(ScreeningError):
    """A watchlist or allowlist cannot be used (fail closed: no screening on a partial list)."""

    code = "watchlist_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        path: str | None = None,
        line: int | None = None,
        problems: tuple[str, ...] = (),
    ) -> None:
        """Record the file, the first bad line and every problem."""
        super().__init__(message, code=code)
        self.path = path
        self.line = line
        self.problems = problems or (message,)


class ConfigError(ScreeningError):
    """A configuration or policy file, variable or flag is invalid (exit 6, fail closed)."""

    code = "config_invalid"


class AuditError(ScreeningError):
    """The audit log cannot be opened or written (missing, foreign key file, modified outside)."""

    code = "audit_error"


class EnvironmentProblem(ScreeningError):
    """Something missing on this machine; the message names the fix."""

    code = "environment"


class OcrUnavailable(EnvironmentProblem):
    """Tesseract is not installed or cannot run: `apt-get install tesseract-ocr`."""

    code = "ocr_unavailable"
