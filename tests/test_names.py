# ruff: noqa: RUF001, RUF002, RUF003 - look-alike letters are the subject of these tests
"""Name normalisation (`screening.names`): one table per rule, plus junk that must not break it."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from screening.model import EntityKind
from screening.names import NameFlag, fold_text, legal_form_of, normalize_name, skeleton

PERSON = EntityKind.PERSON
ORG = EntityKind.ORGANIZATION


def tokens(text: str, kind: EntityKind | None = PERSON) -> tuple[str, ...]:
    return normalize_name(text, kind).tokens


def surface(text: str, kind: EntityKind | None = PERSON) -> tuple[str, ...]:
    return normalize_name(text, kind).surface


# --- Unicode: NFKC, invisible characters, confusables, transliteration -------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＳＩＴＩ ＡＭＩＮＡＨ", ("SITI", "AMINAH")),  # fullwidth (NFKC)
        ("SI\u200bTI AMI\u200dNAH", ("SITI", "AMINAH")),  # zero-width space / joiner
        ("SITI\u00adAMINAH", ("SITIAMINAH",)),  # soft hyphen is invisible, not a separator
        ("SITI\tAMINAH\n", ("SITI", "AMINAH")),
        ("siti aminah", ("SITI", "AMINAH")),
        ("\u202eSITI AMINAH", ("SITI", "AMINAH")),  # bidi override removed
    ],
)
def test_unicode_noise_is_removed(raw: str, expected: tuple[str, ...]) -> None:
    """NFKC folds fullwidth letters; zero-width, bidi and control characters disappear."""
    assert surface(raw) == expected


def test_invisible_characters_are_reported() -> None:
    """Removing an invisible character is recorded as a flag (it can hide a listed name)."""
    assert NameFlag.INVISIBLE_REMOVED in normalize_name("SI\u200bTI", PERSON).flags


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("РТ МАJU JAYA", ("MAJU", "JAYA")),  # Cyrillic Р, Т, М, А inside Latin text
        ("MAJU JΑYA", ("MAJU", "JAYA")),  # Greek capital alpha
        ("Ѕіtі Аminah", ("SITI", "AMINAH")),
    ],
)
def test_confusable_letters_in_latin_names_are_folded(raw: str, expected: tuple[str, ...]) -> None:
    """Cyrillic/Greek look-alikes inside a Latin name become the Latin letters they imitate."""
    key = normalize_name(raw, ORG)
    assert key.surface == expected
    assert NameFlag.MIXED_SCRIPT in key.flags
    assert NameFlag.CONFUSABLES_FOLDED in key.flags


def test_a_name_wholly_in_cyrillic_is_transliterated_not_folded() -> None:
    """All-Cyrillic text is transliterated by the ICAO table (В = V, not B) and is not mixed."""
    key = normalize_name("Владимир Орехов", PERSON)
    assert key.surface == ("VLADIMIR", "OREKHOV")
    assert NameFlag.MIXED_SCRIPT not in key.flags


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Müller", "MUELLER"),
        ("Götz", "GOETZ"),
        ("Jääskeläinen", "JAEAESKELAEINEN"),
        ("Straße", "STRASSE"),
        ("Ångström", "AANGSTROEM"),
        ("Øvergård", "OEVERGAARD"),
        ("Ærø", "AEROE"),
        ("Łukasz", "LUKASZ"),
        ("François", "FRANCOIS"),
        ("Sánchez", "SANCHEZ"),
        ("Erdoğan", "ERDOGAN"),
        ("Hüseyi̇n", "HUESEYIN"),  # i + combining dot above
    ],
)
def test_icao_transliteration(raw: str, expected: str) -> None:
    """ICAO 9303 Part 3 section 6: multi-letter forms for Ä Ö Ü ß Å Ø Æ, other marks dropped."""
    assert fold_text(raw)[0] == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("GÖTZ", "GOETZ"),
        ("GÖTZ", "GOTZ"),
        ("GÜL", "GUL"),
        ("KÖNIG", "KONIG"),
        ("HÜSEYIN", "HUSEYIN"),
    ],
)
def test_umlaut_written_either_way_gives_one_skeleton(a: str, b: str) -> None:
    """An umlaut expanded (OE) or dropped (O) by the issuing state compares equal."""
    assert tokens(a) == tokens(b)


# --- MRZ names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mrz", "expected", "partial"),
    [
        ("SHIRAZI<<ALI<MORSHED<<<<<<<<<<<<<<<<<<<", ("ALI", "MORSHED", "SHIRAZI"), None),
        ("AL<SHAMI<<HUSAYN<<<<<<<<<<<<<<<<<<<<<<<", ("HUSAYN", "AL", "SHAMI"), None),
        ("HAMBALI<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<", ("HAMBALI",), None),
        ("HAMBALI<<HAMBALI<<<<<<<<<<<<<<<<<<<<<<<", ("HAMBALI",), None),
        (
            "QADHAFI<<AISHA<MUAMMAR<MUHAMMED<ABU<MIN",
            ("AISHA", "MUAMMAR", "MUHAMMED", "ABU", "MIN", "QADHAFI"),
            4,
        ),
        (
            "PERCOBAANREKAANKHAYALAN<<SAMPELTELADANA",
            ("SAMPELTELADANA", "PERCOBAANREKAANKHAYALAN"),
            0,
        ),
        (
            "AL<SAMARRAI<<IBRAHIM<AWWAD<IBRAHIM<ALI<",
            ("IBRAHIM", "AWWAD", "IBRAHIM", "ALI", "AL", "SAMARRAI"),
            None,
        ),
    ],
)
def test_mrz_name_fields(mrz: str, expected: tuple[str, ...], partial: int | None) -> None:
    """`SURNAME<<GIVEN<NAMES`: fillers removed, given names first, a cut last token marked."""
    key = normalize_name(mrz, PERSON)
    assert key.surface == expected
    assert NameFlag.MRZ in key.flags
    assert key.partial == partial


def test_a_single_name_repeated_in_both_fields_is_one_name() -> None:
    """A mononym written in both MRZ fields, or twice in free text, counts once."""
    for raw in ("BUKHORI<<BUKHORI<<<<<<<<", "Bukhori Bukhori"):
        key = normalize_name(raw, PERSON)
        assert key.surface == ("BUKHORI",)
        assert NameFlag.REPEATED_SINGLE_NAME in key.flags


def test_a_name_written_twice_in_a_company_name_is_kept() -> None:
    """Organisations keep repeated words (the rule is for persons' single names)."""
    assert surface("Jaya Jaya", ORG) == ("JAYA", "JAYA")


# --- titles, order, degrees --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("H. Suparman", ("SUPARMAN",)),
        ("Hj. Siti Aminah", ("SITI", "AMINAH")),
        ("Haji Abdul Basir", ("ABDUL", "BASIR")),
        ("Dr. Ir. Bambang Sutrisno", ("BAMBANG", "SUTRISNO")),
        ("Drs. H. Idris Ismail, S.Ag", ("IDRIS", "ISMAIL")),
        ("drs.h.idris ismail, s.ag", ("IDRIS", "ISMAIL")),
        ("H. ZIKRILLAH SYAHRUL, M.PD", ("ZIKRILLAH", "SYAHRUL")),
        ("Mr Yusuf Teladan", ("YUSUF", "TELADAN")),
        ("Haji", ("HAJI",)),  # a title alone is kept: it is all there is
        ("SUSANTI, Dwi Dahlia", ("DWI", "DAHLIA", "SUSANTI")),  # OFAC "SURNAME, Given"
    ],
)
def test_titles_degrees_and_order(raw: str, expected: tuple[str, ...]) -> None:
    """Honorifics and degrees are set apart; 'SURNAME, Given' becomes natural order."""
    assert surface(raw) == expected


def test_bin_and_binti_are_kept_as_tokens() -> None:
    """Bin/Binti are part of the name; the matcher weighs them as frequent particles."""
    assert surface("Muzakir Bin Abdul Hamid") == ("MUZAKIR", "BIN", "ABDUL", "HAMID")


# --- spelling variants (the skeleton) ----------------------------------------------------------


@pytest.mark.parametrize(
    "group",
    [
        ("MUHAMMAD", "MOHAMMED", "MOCHAMMAD", "MUHAMAD", "MOHAMAD", "MOHD", "MOH", "MUH"),
        ("ABDUL", "ABD", "ABDEL", "ABDOUL"),
        ("YUSUF", "YOUSEF", "YUSUP", "JUSUF"),
        ("SOEMARSONO", "SUMARSONO"),
        ("SOEHARTO", "SUHARTO"),
        ("DJOKO", "JOKO"),
        ("TJAHJADI", "CAHJADI"),
        ("RACHMAN", "RAHMAN", "RAKHMAN"),
        ("HUSSEIN", "HUSAIN", "HOSSEIN", "HUSAYN"),
        ("ISMAIL", "ISMAEL", "ESMAIL"),
        ("AHMAD", "AHMED", "AHMET"),
        ("ALEKSEY", "ALEKSEI"),
        ("HASSAN", "HASAN"),
    ],
)
def test_spelling_variants_share_a_skeleton(group: tuple[str, ...]) -> None:
    """Known transliteration variants of one name part compare as equal."""
    assert len({skeleton(v) for v in group}) == 1, {v: skeleton(v) for v in group}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ABDUL", "ABDULLAH"),
        ("SITI", "SETIA"),
        ("ARIS", "ARIF"),
        ("BAMBANG", "BAMBAN"),
        ("DEWI", "DEDI"),
        ("RIZAL", "RIZKI"),
    ],
)
def test_different_names_keep_different_skeletons(a: str, b: str) -> None:
    """The folding does not merge different names."""
    assert skeleton(a) != skeleton(b)


# --- legal forms ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "name", "form"),
    [
        ("PT Maju Jaya", ("MAJU", "JAYA"), "PT"),
        ("PT. Maju Jaya", ("MAJU", "JAYA"), "PT"),
        ("P.T. Maju Jaya", ("MAJU", "JAYA"), "PT"),
        ("P.t. Maju Jaya", ("MAJU", "JAYA"), "PT"),
        ("MAJU JAYA, PT", ("MAJU", "JAYA"), "PT"),
        ("Perseroan Terbatas Maju Jaya", ("MAJU", "JAYA"), "PERSEROAN TERBATAS"),
        ("PT Maju Jaya Tbk", ("MAJU", "JAYA"), "PT TBK"),
        ("CV. Surabaya Hobby", ("SURABAYA", "HOBBY"), "CV"),
        ("Surabaya Hobby, CV", ("SURABAYA", "HOBBY"), "CV"),
        ("Yayasan Hilal Ahmar", ("HILAL", "AHMAR"), "YAYASAN"),
        ("Koperasi Sampel Sejahtera", ("SAMPEL", "SEJAHTERA"), "KOPERASI"),
        ("UD Sumber Rekaan", ("SUMBER", "REKAAN"), "UD"),
        ("Shoon Energy Pte. Ltd.", ("SHOON", "ENERGY"), "PTE LTD"),
        (
            "Green Wave Telecommunication Sdn. Bhd.",
            ("GREEN", "WAVE", "TELECOMMUNICATION"),
            "SDN BHD",
        ),
        ("Hebei Xiuna Trade Co., Ltd.", ("HEBEI", "XIUNA", "TRADE"), "CO LTD"),
        ("Suntac Technologies Company Limited", ("SUNTAC", "TECHNOLOGIES"), "COMPANY LIMITED"),
        ("Ramak Projects LLC", ("RAMAK", "PROJECTS"), "LLC"),
        ("Inmobiliaria Esparta S.A. de C.V.", ("INMOBILIARIA", "ESPARTA"), "SA DE CV"),
        ("Lomas S A DE C V", ("LOMAS",), "SA DE CV"),
        ("Twelfth Ocean GmbH & Co. KG", ("TWELFTH", "OCEAN"), "GMBH AND CO KG"),
        (
            "Joint Stock Company Business Environment",
            ("BUSINESS", "ENVIRONMENT"),
            "JOINT STOCK COMPANY",
        ),
    ],
)
def test_legal_forms_are_set_apart(raw: str, name: tuple[str, ...], form: str) -> None:
    """Company legal forms (Indonesian and foreign) leave the name and go to `legal_form`."""
    key = normalize_name(raw, ORG)
    assert key.surface == name
    assert key.legal_form == form
    assert legal_form_of(raw) == form


def test_joining_words_do_not_count_in_company_names() -> None:
    """'&', 'and', 'dan' join words: Tour & Travel = Tour dan Travel = Tour and Travel."""
    assert tokens("PT Bir Ali Tour & Travel", ORG) == tokens("Bir Ali Tour dan Travel", ORG)
    assert tokens("Bir Ali Tour and Travel PT", ORG) == tokens("Bir Ali Tour Travel", ORG)


@pytest.mark.parametrize("raw", ["PT", "P.T.", "CV", "Tbk", "CORP", "CO LTD", "LLC", "Ltd."])
def test_a_bare_legal_form_is_flagged_and_empty(raw: str) -> None:
    """A name that is nothing but a legal form has nothing to compare."""
    key = normalize_name(raw, ORG)
    assert NameFlag.LEGAL_FORM_ONLY in key.flags
    assert key.empty


def test_without_a_kind_a_legal_form_makes_an_organisation() -> None:
    """Kind unknown: 'PT ...' is read as a company, anything else as a person."""
    assert normalize_name("PT Maju Jaya").legal_form == "PT"
    assert normalize_name("SUSANTI, Dwi").surface == ("DWI", "SUSANTI")
    assert legal_form_of("Dwi Susanti") is None


def test_person_rules_do_not_strip_company_words() -> None:
    """A person called 'Sa' or 'Co' keeps the token: legal forms are for organisations."""
    assert surface("Ma Sa", PERSON) == ("MA", "SA")


# --- joined forms and junk ---------------------------------------------------------------------


def test_joined_form_ignores_spaces() -> None:
    """MAJU JAYA and MAJUJAYA share the joined form used by the joined-name index."""
    assert normalize_name("PT Maju Jaya", ORG).joined == normalize_name("MAJUJAYA", ORG).joined


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "<<<<", "\x00\x1b[2J", "🙂🙂", "...", "'", "-", "&", ",,,", "<", "P.T.", "\u200b"],
)
def test_junk_gives_an_empty_key_not_an_error(raw: str) -> None:
    """Empty, control-only, punctuation-only or emoji input normalises without raising."""
    key = normalize_name(raw, ORG)
    assert isinstance(key.tokens, tuple)
    for token in key.tokens:
        assert token
        assert not any(ch.isspace() for ch in token)


def test_huge_input_is_bounded() -> None:
    """A 1 MB name (or a ReDoS probe) is cut and normalised quickly."""
    start = time.perf_counter()
    normalize_name("A" * 1_000_000 + "!", PERSON)
    normalize_name("A." * 50_000, ORG)
    assert time.perf_counter() - start < 2.0  # generous: does not hang


def test_core_modules_import_no_ui_or_image_libraries() -> None:
    """names/matching are pure: importing them loads neither typer, rich, cv2 nor pytesseract."""
    code = (
        "import sys, screening.names, screening.matching, screening.index_cache; "
        "bad = {'typer', 'rich', 'cv2', 'pytesseract', 'passporteye'} & set(sys.modules); "
        "print(sorted(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
