"""Random, fictional MRZ text and the OCR-B font, shared by the training tools.

Nothing here is a real name or document: letters and digits are drawn at random, so a model
trained on them learns the glyphs, not any language or register.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import random

# Debian's fonts-ocr-b (public domain): the regular face and its sharp variant.
OCRB = "/usr/share/fonts/opentype/ocr-b/OCRB.otf"
OCRB_SHARP = "/usr/share/fonts/opentype/ocr-b/OCRBS.otf"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"
ALPHANUM = LETTERS + DIGITS


def random_code(rng: random.Random, width: int, charset: str = ALPHANUM) -> str:
    """`width` characters drawn from `charset`."""
    return "".join(rng.choice(charset) for _ in range(width))


def random_names(rng: random.Random, width: int, *, fewest: int = 2, longest: int = 11) -> str:
    """A name field: `SURNAME<<GIVEN<NAMES` of random letters, cut or filled to `width`."""
    words = []
    for part in range(rng.randint(fewest, 5)):
        word = "".join(rng.choice(LETTERS) for _ in range(rng.randint(1, longest)))
        words.append(("<<" if part == 1 else "<") + word if part else word)
    return "".join(words)[:width].ljust(width, "<")


def random_filled(rng: random.Random, width: int, *, often_empty: bool = False) -> str:
    """An optional field: some random characters, then fillers (two in three empty if asked)."""
    used = rng.choice((0, 0, rng.randint(0, width))) if often_empty else rng.randint(0, width)
    return random_code(rng, used).ljust(width, "<")
