# ruff: noqa: RUF001 - this module folds look-alike letters, so it must spell them out
"""Name normalisation for screening: raw name text -> `NameKey` (PURE, no I/O).

This module owns every rule that turns a name as typed, printed or read from an MRZ into
comparable tokens: Unicode NFKC, removal of zero-width and control characters, folding of
Cyrillic/Greek look-alike letters in Latin names (reported as mixed script), ICAO 9303 Part 3
section 6 transliteration (Ä=AE, Ö=OE, Ü=UE, ß=SS, Å=AA, Ø=OE, Æ=AE, Cyrillic per the ICAO
table), MRZ name fields (`SURNAME<<GIVEN<NAMES`, `<` fillers, a field truncated at its end),
honorifics and academic titles (H., Hj., Haji, Dr., Ir., Drs., S.E., S.Pd ...), the OFAC
`SURNAME, Given` order, company legal forms (PT, CV, Tbk, Yayasan, LTD, CO LTD, SDN BHD,
S.A. DE C.V. ...) kept apart in `legal_form`, and a phonetic *skeleton* per token that folds
the spelling variants common in Indonesia and the Muslim world (Muhammad/Mochammad/Mohd,
Abdul/Abd, Yusuf/Yousef/Yusup, Soemarsono/Sumarsono, dj/j, tj/c, ch/kh/h).

Decisions (see the tests for the tables):
- `Bin`, `Binti`, `Ibn`, `Al`, `El` ... are kept as tokens: they are part of the name, and the
  matcher gives them little weight because they are frequent in the lists.
- Titles are removed only while another token remains, so "Haji" alone is still a name.
- A legal form is removed only while another token remains; a name that is nothing but a
  legal form is flagged `legal_form_only` and the matcher never matches it.
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata
from dataclasses import dataclass

from screening.model import EntityKind

__all__ = [
    "NameFlag",
    "NameKey",
    "fold_text",
    "index_tokens",
    "legal_form_of",
    "normalize_name",
    "skeleton",
]

MAX_NAME_CHARS = 1000  # longer input is cut: no real name is this long (bounded work)


class NameFlag(enum.StrEnum):
    """What normalisation noticed or changed; shown in match explanations."""

    MIXED_SCRIPT = "mixed_script"  # Latin mixed with Cyrillic/Greek look-alikes in one name
    CONFUSABLES_FOLDED = "confusables_folded"
    INVISIBLE_REMOVED = "invisible_removed"  # zero-width or control characters removed
    TRANSLITERATED = "transliterated"  # diacritics or non-Latin letters turned into Latin
    MRZ = "mrz"  # the name was an MRZ name field
    MRZ_TRUNCATED = "mrz_truncated"  # the MRZ field was full: the last token may be cut
    REPEATED_SINGLE_NAME = "repeated_single_name"  # HAMBALI<<HAMBALI: one name in both fields
    TITLES_REMOVED = "titles_removed"
    LEGAL_FORM = "legal_form"  # a company legal form was found and set apart
    LEGAL_FORM_ONLY = "legal_form_only"  # nothing but a legal form: never matches
    REORDERED = "reordered"  # "SURNAME, Given" turned into natural order


@dataclass(frozen=True, slots=True)
class NameKey:
    """A normalised name: comparison tokens in natural order plus what was set apart.

    `surface` holds the ASCII-folded tokens as written (for display and joined-name checks);
    `tokens` holds their phonetic skeletons (same length, same order) used for comparison.
    """

    original: str
    kind: EntityKind | None
    surface: tuple[str, ...]
    tokens: tuple[str, ...]
    legal_form: str | None = None
    titles: tuple[str, ...] = ()
    flags: frozenset[NameFlag] = frozenset()
    partial: int | None = None  # index of a token cut at the end of a full MRZ field

    @property
    def joined(self) -> str:
        """The skeleton tokens without spaces: MUHAMMAD DANDI and MUHAMMADDANDI meet here."""
        return "".join(self.tokens)

    @property
    def text(self) -> str:
        """The surface tokens separated by single spaces (a readable normal form)."""
        return " ".join(self.surface)

    @property
    def truncated(self) -> bool:
        """True when the name may go on past a full MRZ field (names may be missing)."""
        return NameFlag.MRZ_TRUNCATED in self.flags

    @property
    def empty(self) -> bool:
        """True when nothing comparable is left (empty input or a bare legal form)."""
        return not self.tokens or NameFlag.LEGAL_FORM_ONLY in self.flags


# --- character level ---------------------------------------------------------------------------

# Cyrillic and Greek letters that look like Latin ones (Unicode confusables, Latin targets).
_CONFUSABLES = {
    # Cyrillic capitals
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ү": "Y",
    "Һ": "H", "Ԛ": "Q", "Ԝ": "W", "Ё": "E", "Ї": "I",
    # Cyrillic small
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "ѕ": "s",
    "і": "i", "ј": "j", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ү": "y", "ё": "e",
    "ї": "i", "к": "k", "м": "m", "н": "h", "т": "t", "в": "b",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ι": "i",
    "κ": "k", "ν": "v", "ρ": "p", "α": "a", "υ": "u",
}  # fmt: skip

# ICAO 9303 Part 3, section 6 (Latin letters with a recommended multi-letter form).
_ICAO_LATIN = {
    "Ä": "AE", "Å": "AA", "Æ": "AE", "Ĳ": "IJ", "Ð": "D", "Ø": "OE", "Ö": "OE", "Œ": "OE",
    "ß": "SS", "ẞ": "SS", "Þ": "TH", "Ü": "UE", "Ł": "L", "Đ": "D", "Ħ": "H", "ı": "I",
    "Ŀ": "L", "ĸ": "K", "Ŋ": "N", "Ŧ": "T",
}  # fmt: skip

# ICAO 9303 Part 3, section 6 Cyrillic transliteration (upper case).
_ICAO_CYRILLIC = {
    "А": "A", "Б": "B", "В": "V", "Г": "G", "Ґ": "G", "Д": "D", "Е": "E", "Ё": "E",
    "Є": "IE", "Ж": "ZH", "З": "Z", "И": "I", "І": "I", "Ї": "I", "Й": "I", "К": "K",
    "Л": "L", "М": "M", "Н": "N", "О": "O", "П": "P", "Р": "R", "С": "S", "Т": "T",
    "У": "U", "Ў": "U", "Ф": "F", "Х": "KH", "Ц": "TS", "Ч": "CH", "Ш": "SH", "Щ": "SHCH",
    "Ъ": "IE", "Ы": "Y", "Ь": "", "Э": "E", "Ю": "IU", "Я": "IA", "Ј": "J", "Ђ": "D",
    "Ћ": "C", "Љ": "LJ", "Њ": "NJ", "Џ": "DZ", "Ѓ": "G", "Ќ": "K", "Ѕ": "DZ",
}  # fmt: skip

_GREEK = {
    "Α": "A", "Β": "V", "Γ": "G", "Δ": "D", "Ε": "E", "Ζ": "Z", "Η": "I", "Θ": "TH",
    "Ι": "I", "Κ": "K", "Λ": "L", "Μ": "M", "Ν": "N", "Ξ": "X", "Ο": "O", "Π": "P",
    "Ρ": "R", "Σ": "S", "Τ": "T", "Υ": "Y", "Φ": "F", "Χ": "CH", "Ψ": "PS", "Ω": "O",
}  # fmt: skip

_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
_SEPARATORS = re.compile(r"[\s\-_/\\.,;:()\[\]{}\"“”„«»|+*#~=!?]+")
_DROP_APOSTROPHES = str.maketrans(dict.fromkeys("'`´’‘ʼʻʿʾ"))


def _script(char: str) -> str:
    """'latin', 'cyrillic', 'greek' or 'other' for a letter (by its Unicode name)."""
    if char.isascii():
        return "latin"
    name = unicodedata.name(char, "")
    for script in ("LATIN", "CYRILLIC", "GREEK"):
        if name.startswith(script):
            return script.lower()
    return "other"


def fold_text(text: str) -> tuple[str, frozenset[NameFlag]]:
    """NFKC, invisible characters out, look-alikes folded, transliterated, upper case ASCII.

    Letters of scripts other than Latin, Cyrillic and Greek are kept (upper-cased) so that an
    Arabic or Chinese alias still matches the same text.
    """
    flags: set[NameFlag] = set()
    text = unicodedata.normalize("NFKC", text[:MAX_NAME_CHARS])
    if not text.isascii() or not text.isprintable():
        kept = []
        for char in text:
            if char in "\t\n\r " or unicodedata.category(char) not in _INVISIBLE_CATEGORIES:
                kept.append(char)
            else:
                flags.add(NameFlag.INVISIBLE_REMOVED)
        text = "".join(kept)
    if text.isascii():
        return text.upper(), frozenset(flags)
    scripts = {_script(c) for c in text if c.isalpha()}
    if "latin" in scripts and scripts & {"cyrillic", "greek"}:
        flags.add(NameFlag.MIXED_SCRIPT)
        folded = "".join(_CONFUSABLES.get(c, c) for c in text)
        if folded != text:
            flags.add(NameFlag.CONFUSABLES_FOLDED)
        text = folded
    out: list[str] = []
    for char in text.upper():
        if char.isascii():
            out.append(char)
            continue
        flags.add(NameFlag.TRANSLITERATED)
        if char in _ICAO_LATIN:
            out.append(_ICAO_LATIN[char])
        elif char in _ICAO_CYRILLIC:
            out.append(_ICAO_CYRILLIC[char])
        elif char in _GREEK:
            out.append(_GREEK[char])
        else:
            base = unicodedata.normalize("NFKD", char)
            stripped = "".join(c for c in base if not unicodedata.combining(c))
            if stripped.isascii() or not stripped:
                out.append(stripped)
            else:
                out.append(unicodedata.normalize("NFC", stripped))
    return "".join(out).upper(), frozenset(flags)


# --- token level --------------------------------------------------------------------------------

# Whole-token spelling variants that the skeleton rules below do not already fold.
_VARIANTS = {
    **dict.fromkeys(
        (
            "MUHAMMAD", "MUHAMAD", "MUHAMMED", "MUHAMED", "MOHAMMAD", "MOHAMAD", "MOHAMMED",
            "MOHAMED", "MOCHAMMAD", "MOCHAMAD", "MOCHAMMED", "MUCHAMMAD", "MUCHAMAD", "MOHD",
            "MHD", "MUH", "MOH", "MOHAMET", "MOHAMMET", "MEHMET", "MEHMED", "MAHOMED",
            "MOHAMMADU", "MOHAMADOU", "MOUHAMED", "MOUHAMMAD", "MUHAMMET", "MUHAMAT",
        ),
        "MUHAMMAD",
    ),
    **dict.fromkeys(("ABDUL", "ABD", "ABDEL", "ABDOUL", "ABDOL", "ABDAL", "ABDU"), "ABDUL"),
    **dict.fromkeys(("ABDULLAH", "ABDALLAH", "ABDULLA", "ABDALLA", "ABDOLLAH"), "ABDULLAH"),
    **dict.fromkeys(("AHMAD", "AHMED", "AHMET", "AHMAT", "ACHMAD", "AKHMAD", "AKHMED"), "AHMAD"),
    **dict.fromkeys(
        ("YUSUF", "YUSUP", "YOUSEF", "YOUSSEF", "YUSEF", "YOUSIF", "YUSIF", "YOUSUF", "JUSUF",
         "YOSEF", "YUSOF", "YOUSOF", "JOESOEF", "YUSOP"),
        "YUSUF",
    ),
    **dict.fromkeys(
        ("HUSAYN", "HUSAIN", "HUSSAIN", "HUSEIN", "HUSSEIN", "HOSSEIN", "HOSEIN", "HUSEYIN",
         "HUSEYN", "HOUSSEIN", "HUSSEYN"),
        "HUSAYN",
    ),
    **dict.fromkeys(("HASAN", "HASSAN", "HASSANE", "HASAAN"), "HASAN"),
    **dict.fromkeys(("ISMAIL", "ISMAEL", "ESMAIL", "ESMAEIL", "ISMAYIL", "ISMAILA"), "ISMAIL"),
    **dict.fromkeys(("SALAH", "SALAHUDDIN"), None),  # explicit: no folding for these
}  # fmt: skip

_DIGRAPHS = (
    ("OE", "O"),  # Dutch-era Indonesian spelling (Soeharto) and ICAO Ö=OE, then O ~ U below
    ("UE", "U"),  # ICAO Ü=UE
    ("DJ", "J"),  # old Indonesian spelling: Djoko = Joko
    ("TJ", "C"),  # Tjahjo = Cahyo
    ("SJ", "SY"),  # Sjarif = Syarif
    ("CH", "H"),  # Mochammad = Mohammad, Rachman = Rahman
    ("KH", "H"),  # Khalid, Akhmad, Orekhov: transliteration of one Arabic/Cyrillic letter
    ("GH", "G"),
    ("PH", "F"),
    ("DZ", "Z"),
    ("DH", "D"),
)
_LETTERS = str.maketrans({"Q": "K", "W": "V", "Y": "I", "E": "I", "O": "U"})
_DOUBLE = re.compile(r"(.)\1+")
_FIRST = r"\1"
_LONG_RUN = re.compile(r"(.)\1{3}")


@functools.lru_cache(maxsize=1_000_000)
def skeleton(token: str) -> str:
    """Phonetic skeleton of one upper-case ASCII token, identical for its spelling variants.

    Known variants are mapped to one spelling first (Mohd -> MUHAMMAD); then digraphs are
    folded (oe, ue, dj, tj, ch, kh, ...), vowels that transliterations swap are merged (e/i/y
    and o/u), doubled letters are collapsed and a final h after a vowel is dropped. Tokens
    that are not plain ASCII letters are returned unchanged.
    """
    if not token.isascii() or not token.isalpha() or _LONG_RUN.search(token):
        return token  # other scripts, digits, and letter runs no name has (XXXX) stay as they are
    canonical = _VARIANTS.get(token)
    if canonical is None and ("OE" in token or "UE" in token):
        canonical = _VARIANTS.get(token.replace("OE", "O").replace("UE", "U"))  # HUESEYIN
    canonical = canonical or token
    out = canonical
    for old, new in _DIGRAPHS:
        if old in out:
            out = out.replace(old, new)
    out = _DOUBLE.sub(_FIRST, out.translate(_LETTERS))
    if len(out) > 2 and out.endswith("H") and out[-2] in "AIU":
        out = out[:-1]
    return out or canonical


# --- titles and legal forms ---------------------------------------------------------------------

# Honorifics and titles removed before a person's name (compared without dots, upper case).
_LEADING_TITLES = frozenset(
    {
        "H", "HJ", "HAJI", "HAJJ", "HAJJI", "HADJI", "HAJAH", "HJH", "DR", "DRS", "DRA", "IR",
        "PROF", "MR", "MRS", "MS", "MISS", "MME", "TUAN", "NYONYA", "NY", "SDR", "SDRI", "BPK",
        "BAPAK", "IBU", "KH", "TGK", "TEUKU", "DATO", "DATUK", "TAN", "SRI",
    }
)  # fmt: skip
# Titles removed wherever they stand (never part of a listed person's name).
_ANYWHERE_TITLES = frozenset({"HAJI", "HAJJ", "HAJJI", "HADJI", "HAJAH"})
# Academic degrees written after the name, usually after a comma (S.Pd, M.Pd, S.E., S.Ag ...).
_DEGREES = frozenset(
    {
        "SPD", "MPD", "SAG", "MAG", "SE", "SH", "MH", "SKOM", "MKOM", "ST", "MT", "SSOS",
        "MSI", "SSI", "SPSI", "SKM", "SKED", "AMD", "SIP", "MM", "MBA", "MSC", "BSC", "PHD",
        "LC", "SPDI", "SHI", "SFARM", "SAP", "SIKOM", "SKEP", "AMKEP", "SPT", "MAP", "SPSIKOLOG",
        "SHUM", "STP", "SS", "SKG", "SPOG", "MKES", "SKEB", "DRS", "DR", "IR", "MA",
    }
)  # fmt: skip
# Leading legal forms (Indonesian and former-Soviet forms come first in the name).
_PREFIX_FORMS: tuple[tuple[str, ...], ...] = (
    ("PERSEROAN", "TERBATAS"),
    ("PERSEROAN", "KOMANDITER"),
    ("OPEN", "JOINT", "STOCK", "COMPANY"),
    ("CLOSED", "JOINT", "STOCK", "COMPANY"),
    ("PUBLIC", "JOINT", "STOCK", "COMPANY"),
    ("JOINT", "STOCK", "COMPANY"),
    ("LIMITED", "LIABILITY", "COMPANY"),
    ("PT",), ("CV",), ("UD",), ("YAYASAN",), ("KOPERASI",), ("FIRMA",),
    ("OOO",), ("OAO",), ("ZAO",), ("PAO",), ("AO",), ("TOO",), ("OSOO",), ("JSC",), ("OJSC",),
    ("CJSC",), ("PJSC",), ("LLC",),
)  # fmt: skip
# Trailing legal forms, longest first (tokens after punctuation is removed).
_SUFFIX_FORMS: tuple[tuple[str, ...], ...] = (
    ("S", "DE", "R", "L", "DE", "C", "V"),
    ("S", "A", "DE", "C", "V"),
    ("S", "DE", "RL", "DE", "CV"),
    ("SAPI", "DE", "CV"),
    ("SA", "DE", "CV"),
    ("LIMITED", "LIABILITY", "COMPANY"),
    ("LIMITED", "LIABILITY", "PARTNERSHIP"),
    ("GMBH", "AND", "CO", "KG"),
    ("GMBH", "CO", "KG"),
    ("COMPANY", "LIMITED"),
    ("PRIVATE", "LIMITED"),
    ("CO", "LIMITED"),
    ("CO", "LTD"),
    ("PTE", "LTD"), ("PTE", "LIMITED"), ("PTY", "LTD"), ("PTY", "LIMITED"),
    ("SDN", "BHD"), ("S", "R", "O"), ("S", "R", "L"), ("S", "A", "S"), ("S", "A"),
    ("L", "L", "C"), ("P", "T"), ("N", "A"), ("B", "V"), ("N", "V"),
    ("AND", "CO"),
    ("LTD",), ("LIMITED",), ("LLC",), ("LLP",), ("INC",), ("INCORPORATED",), ("CORP",),
    ("CORPORATION",), ("PLC",), ("GMBH",), ("AG",), ("KG",), ("SA",), ("SAS",), ("SARL",),
    ("SRL",), ("SRO",), ("SPA",), ("SL",), ("NV",), ("BV",), ("OY",), ("AB",), ("JSC",),
    ("OJSC",), ("CJSC",), ("PJSC",), ("OAO",), ("ZAO",), ("OOO",), ("FZE",), ("FZCO",),
    ("FZC",), ("DMCC",), ("TBK",), ("PT",), ("CV",), ("UD",), ("BHD",), ("CO",),
)  # fmt: skip
# Joining words of company names, dropped for comparison (English, Indonesian, Spanish, ...).
_ORG_STOPWORDS = frozenset({"AND", "DAN", "UND", "ET", "Y", "E", "THE", "OF"})
_ALL_FORMS = frozenset(" ".join(f) for f in (*_PREFIX_FORMS, *_SUFFIX_FORMS))

_HAS_DIGIT = re.compile(r"[0-9]")
_MRZ_NAME = re.compile(r"[A-Z0-9]*<[A-Z0-9<]*")
_MRZ_FIELD_LENGTHS = frozenset({30, 31, 39})  # TD1 line 3, TD2 line 1 names, TD3 line 1 names


_DOTTED_LETTERS = re.compile(r"(?<![A-Z])[A-Z](?:\.[A-Z])+\.?(?![A-Z])")


def _undot(match: re.Match[str]) -> str:
    return match.group(0).replace(".", "") + " "


def _split(text: str) -> list[str]:
    """Split on separators; P.T. / S.A. / I.C.E. become one token, & becomes AND."""
    text = text.translate(_DROP_APOSTROPHES)
    if "&" in text:
        text = text.replace("&", " AND ")
    if "." in text:
        text = _DOTTED_LETTERS.sub(_undot, text)
    return [t for t in _SEPARATORS.split(text) if t]


def _by_edge(forms: tuple[tuple[str, ...], ...], edge: int) -> dict[str, list[tuple[str, ...]]]:
    out: dict[str, list[tuple[str, ...]]] = {}
    for form in forms:
        out.setdefault(form[edge], []).append(form)
    return out


_PREFIX_BY_FIRST = _by_edge(_PREFIX_FORMS, 0)
_SUFFIX_BY_LAST = _by_edge(_SUFFIX_FORMS, -1)


def _strip_forms(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Remove leading and trailing legal forms while another token remains."""
    found: list[str] = []
    trailing: list[str] = []
    if len(tokens) < 2 or (
        tokens[0] not in _PREFIX_BY_FIRST
        and tokens[-1] not in _SUFFIX_BY_LAST
        and tokens[-1] not in _ORG_STOPWORDS
    ):
        return tokens, found
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for form in _PREFIX_BY_FIRST.get(tokens[0], ()):
            n = len(form)
            if len(tokens) > n and tuple(tokens[:n]) == form:
                found.append(" ".join(form))
                tokens = tokens[n:]
                changed = True
                break
        for form in _SUFFIX_BY_LAST.get(tokens[-1], ()):
            n = len(form)
            if len(tokens) > n and tuple(tokens[-n:]) == form:
                trailing.insert(0, " ".join(form))
                tokens = tokens[:-n]
                changed = True
                break
        while len(tokens) > 1 and tokens[-1] in _ORG_STOPWORDS:
            tokens = tokens[:-1]
            changed = True
    return tokens, found + trailing


def _compact_legal_form(parts: list[str]) -> str:
    """A readable legal form: 'PT', 'CO LTD', 'SA DE CV' (single letters joined)."""
    out = []
    for part in parts:
        words = part.split()
        if all(len(w) == 1 for w in words):
            out.append("".join(words))
        else:
            merged: list[str] = []
            for w in words:
                if len(w) == 1 and merged and len(merged[-1]) == 1:
                    merged[-1] += w
                else:
                    merged.append(w)
            out.append(" ".join(merged))
    return " ".join(out)


def _parse_mrz(text: str) -> tuple[list[str], set[NameFlag], int | None] | None:
    """Tokens of an MRZ name field (given names first), or None if the text is not one.

    The third item is the index of the token that a full field may have cut (the last one
    written in the field: the last given name, or the surname when there is none).
    """
    compact = text.strip().upper()
    if "<" not in compact or not _MRZ_NAME.fullmatch(compact):
        return None
    flags = {NameFlag.MRZ}
    if len(compact) in _MRZ_FIELD_LENGTHS and not compact.endswith("<<"):
        # A full field: the name may go on past its end (ICAO 9303 Part 3, 4.6 truncation).
        flags.add(NameFlag.MRZ_TRUNCATED)
    surname, _, given = compact.partition("<<")
    # OCR reads a filler as K now and then (KKK...); only the fillers themselves are trusted.
    surname_tokens = [t for t in surname.split("<") if t]
    # Given names are separated by single fillers; after a run of two or more only fillers may
    # follow, so K-only tokens there are misread fillers (RELIABILITY 24), other text is kept.
    head, _, tail = given.partition("<<")
    given_tokens = [t for t in head.split("<") if t]
    given_tokens += [t for t in tail.split("<") if t and set(t) != {"K"}]
    if given_tokens and surname_tokens == given_tokens:
        flags.add(NameFlag.REPEATED_SINGLE_NAME)
        given_tokens = []
    partial = None  # the cut token, when the field ends inside a name
    if NameFlag.MRZ_TRUNCATED in flags and not compact.endswith("<"):
        partial = len(given_tokens) - 1 if given_tokens else len(surname_tokens) - 1
    return [*given_tokens, *surname_tokens], flags, partial


def _remove_titles(tokens: list[str]) -> tuple[list[str], list[str]]:
    removed: list[str] = []
    if not tokens or (tokens[0] not in _LEADING_TITLES and _ANYWHERE_TITLES.isdisjoint(tokens)):
        return tokens, removed
    while len(tokens) > 1 and tokens[0] in _LEADING_TITLES:
        removed.append(tokens.pop(0))
    kept = [t for t in tokens if t not in _ANYWHERE_TITLES]
    if kept and len(kept) < len(tokens):
        removed.extend(t for t in tokens if t in _ANYWHERE_TITLES)
        tokens = kept
    return tokens, removed


def _person_tokens(text: str, flags: set[NameFlag]) -> tuple[list[str], list[str]]:
    """Tokens of a person's name in natural order, with titles and degrees removed."""
    titles: list[str] = []
    parts = [p.strip() for p in text.split(",")]
    # Academic degrees after a comma: "H. ZIKRILLAH, M.PD", "drs.h.idris ismail, s.ag".
    while len(parts) > 1 and "".join(_split(parts[-1])) in _DEGREES:
        titles.append(parts.pop())
    if len(parts) == 2 and parts[0] and parts[1]:
        parts = [parts[1], parts[0]]
        flags.add(NameFlag.REORDERED)
    # Digits are no part of a person's name (left-overs of escape codes, dates, OCR noise).
    tokens = [t for p in parts for t in _split(p) if not _HAS_DIGIT.search(t)]
    tokens, removed = _remove_titles(tokens)
    titles.extend(removed)
    return tokens, titles


def _org_tokens(text: str) -> tuple[list[str], list[str]]:
    tokens = _split(text)
    tokens, forms = _strip_forms(tokens)
    tokens = [t for t in tokens if t not in _ORG_STOPWORDS] or tokens
    return tokens, forms


def normalize_name(text: str, kind: EntityKind | None = None) -> NameKey:
    """Normalise one name (free text or an MRZ name field) into a `NameKey`.

    `kind` selects person rules (titles, "SURNAME, Given" order, MRZ fields) or organisation
    rules (legal forms, joining words); without it, a name that carries a legal form is
    treated as an organisation, otherwise as a person.
    """
    folded, char_flags = fold_text(text)
    flags = set(char_flags)
    titles: list[str] = []
    forms: list[str] = []
    mrz = _parse_mrz(folded)
    partial: int | None = None
    if mrz is not None:
        tokens, mrz_flags, partial = mrz
        flags |= mrz_flags
    else:
        effective = kind
        if effective is None:
            effective = EntityKind.ORGANIZATION if _org_tokens(folded)[1] else EntityKind.PERSON
        if effective is EntityKind.ORGANIZATION:
            tokens, forms = _org_tokens(folded)
        else:
            tokens, titles = _person_tokens(folded, flags)
    if kind is not EntityKind.PERSON and mrz is None and " ".join(tokens) in _ALL_FORMS:
        forms = [" ".join(tokens), *forms]
        flags.add(NameFlag.LEGAL_FORM_ONLY)
    if len(tokens) == 2 and tokens[0] == tokens[1] and kind is not EntityKind.ORGANIZATION:
        # One name written twice (HAMBALI HAMBALI): how a mononym fills two name fields.
        tokens = tokens[:1]
        flags.add(NameFlag.REPEATED_SINGLE_NAME)
    if titles:
        flags.add(NameFlag.TITLES_REMOVED)
    if forms:
        flags.add(NameFlag.LEGAL_FORM)
    surface = tuple(tokens)
    return NameKey(
        original=text,
        kind=kind,
        surface=surface,
        tokens=tuple(map(skeleton, surface)),
        legal_form=_compact_legal_form(forms) if forms else None,
        titles=tuple(titles),
        flags=frozenset(flags),
        partial=partial if partial is not None and 0 <= partial < len(surface) else None,
    )


_PLAIN = re.compile(r"[A-Za-z0-9 '.&()/-]+(?:,[A-Za-z0-9 '.&()/-]+)?")
_PLAIN_MATCH = _PLAIN.fullmatch
_PLAIN_TABLE = str.maketrans({"'": None, "-": " ", "(": " ", ")": " ", "/": " "})
_NO_TOKENS: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())


def index_tokens(text: str, kind: EntityKind) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`(surface, tokens)` of `normalize_name(text, kind)`, or two empty tuples when empty.

    Index building calls this for every listed name: plain ASCII names (letters, spaces,
    hyphens, apostrophes, dots, at most one comma) take a short path that applies the same rules
    without building a `NameKey`; anything else goes through `normalize_name`. A property
    test checks that both paths agree.
    """
    if _PLAIN_MATCH(text):
        upper = text.upper()
        if "'" in upper:
            upper = upper.replace("'", "")
        upper = upper.translate(_PLAIN_TABLE)
        if "&" in upper:
            upper = upper.replace("&", " AND ")
        if "." in upper:
            if _DOTTED_LETTERS.search(upper):
                return _from_key(normalize_name(text, kind))  # P.T., S.A.: joined letters
            upper = upper.replace(".", " ")
        words: list[str] | None
        if kind is EntityKind.PERSON:
            words = _plain_person(upper, digits=_HAS_DIGIT.search(upper) is not None)
        else:
            words, _forms = _strip_forms(upper.replace(",", " ").split())
            words = [t for t in words if t not in _ORG_STOPWORDS] or words
            if " ".join(words) in _ALL_FORMS:
                return _NO_TOKENS
        if words is not None:
            surface = tuple(words)
            return surface, tuple(map(skeleton, surface))
    return _from_key(normalize_name(text, kind))


def _from_key(key: NameKey) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return _NO_TOKENS if key.empty else (key.surface, key.tokens)


def _plain_person(upper: str, *, digits: bool) -> list[str] | None:
    """The person rules for an upper-case 'Given Names' or 'SURNAME, Given'.

    None means: use the full rules (a degree after the comma).
    """
    if "," in upper:
        surname, given = upper.split(",")
        words = given.split()
        if "".join(words) in _DEGREES:
            return None
        words += surname.split()
    else:
        words = upper.split()
    if digits:
        words = [w for w in words if not _HAS_DIGIT.search(w)]
    if words and (words[0] in _LEADING_TITLES or not _ANYWHERE_TITLES.isdisjoint(words)):
        words, _titles = _remove_titles(words)
    if len(words) == 2 and words[0] == words[1]:
        return words[:1]
    return words


def legal_form_of(name: str) -> str | None:
    """The company legal form in `name` ('PT', 'CV', 'CO LTD', 'SA DE CV'...), or None."""
    return normalize_name(name, EntityKind.ORGANIZATION).legal_form
