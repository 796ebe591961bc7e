"""Import the list formats users already have into native `WatchlistEntry`s.

This adapter owns three readers: the OFAC SDN legacy CSV (`sdn.csv`, optionally `alt.csv` for
alternate names; no header, `-0-` for empty cells, date of birth, nationality and document numbers
inside the free-text Remarks), the UN Security Council consolidated XML (parsed with defusedxml,
so entity expansion and external DTDs are refused), and OpenSanctions FollowTheMoney entities as
JSON lines. Each returns an `ImportResult` with the entries, the source's own publication date
when it has one, counts of what was deliberately skipped (vessels, aircraft, non-party schemas)
and every malformed row as a `RowProblem`. `screening watchlist import` writes the entries in the
native JSON-lines format (`watchlist.dump_jsonl`). Messages never quote list content.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from screening.errors import WatchlistError
from screening.model import EntityKind, RowProblem, WatchlistEntry
from screening.watchlist import MAX_FILE_BYTES, nationality_code, normalise_dates

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from xml.etree.ElementTree import Element

__all__ = ["ImportResult", "import_ftm", "import_ofac", "import_un", "ofac_file_kind"]

OFAC_SOURCE = "us_ofac_sdn"
UN_SOURCE = "un_sc_consolidated"

_OFAC_EMPTY = "-0-"
_OFAC_SDN_COLUMNS = 12  # ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type,
# Tonnage, GRT, Vess_flag, Vess_owner, Remarks
_OFAC_ALT_COLUMNS = 5  # ent_num, alt_num, alt_type, alt_name, alt_remarks
_OFAC_KINDS = {"individual": EntityKind.PERSON, "": EntityKind.ORGANIZATION}
_OFAC_DOCUMENT_LABELS = (
    "passport",
    "national id no.",
    "identification number",
    "cedula no.",
    "c.u.r.p.",
    "ssn",
    "national foreign id number",
    "personal id card",
    "residency number",
    "driver's license no.",
)
_OFAC_REGISTRATION_LABELS = (
    "registration number",
    "business registration number",
    "commercial registry number",
    "company number",
    "unified social credit code",
    "legal entity number",
    "tax id no.",
    "registration id",
    "rfc",
)
# Remarks items are "; "-separated, each optionally prefixed "alt. "; longest label first.
_REMARK_LABELS = tuple(
    sorted(
        ("dob", "nationality", "citizen", *_OFAC_DOCUMENT_LABELS, *_OFAC_REGISTRATION_LABELS),
        key=len,
        reverse=True,
    )
)
_NUMBER_VALUE = re.compile(r"^(?P<number>\S+)(?:\s*\((?P<country>[^)]*)\))?")

_FTM_PERSON = frozenset({"Person"})
_FTM_ORGANIZATION = frozenset({"Organization", "Company", "LegalEntity", "PublicBody"})
_FTM_DOCUMENT_PROPS = ("passportNumber", "idNumber", "socialSecurityNumber")
_FTM_REGISTRATION_PROPS = (
    "registrationNumber",
    "taxNumber",
    "leiCode",
    "innCode",
    "ogrnCode",
    "vatCode",
    "licenseNumber",
)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an importer read: entries, the source's date, what it skipped, and bad rows."""

    source: str
    entries: tuple[WatchlistEntry, ...]
    generated: dt.datetime | None = None
    skipped: Mapping[str, int] = field(default_factory=dict)
    problems: tuple[RowProblem, ...] = ()


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise WatchlistError(
                f"The source {path} is not a regular file.",
                code="watchlist_unreadable",
                path=str(path),
            )
        if size > MAX_FILE_BYTES:
            raise WatchlistError(
                f"The source {path} is larger than {MAX_FILE_BYTES} bytes.",
                code="watchlist_unreadable",
                path=str(path),
            )
        return path.read_bytes()
    except OSError as error:
        raise WatchlistError(
            f"The source {path} cannot be read ({error.strerror or 'error'}).",
            code="watchlist_unreadable",
            path=str(path),
        ) from None


def _text_of(data: bytes) -> str:
    """Decode an OFAC or FtM source: UTF-8 first, else Windows-1252 (older OFAC files).

    OFAC files are ASCII in practice; cp1252 with replacement decodes any other byte.
    """
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _cell(value: str) -> str:
    value = value.strip()
    return "" if value == _OFAC_EMPTY else value


def _csv_rows(text: str, path: Path | None = None) -> Iterable[tuple[int, list[str]]]:
    """(start line, row) pairs of a headerless CSV source.

    OFAC ends its files with a DOS end-of-file mark (Ctrl-Z), which is dropped; one anywhere
    else stays in the data (and then breaks its row, which is reported).
    """
    body = text.rstrip()
    if body.endswith("\x1a"):
        text = body[:-1]
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    previous = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise WatchlistError(
                f"The source {path} is not valid CSV at line {previous + 1} ({error}).",
                code="import_invalid",
                path=str(path),
                line=previous + 1,
            ) from None
        line = previous + 1
        previous = reader.line_num
        if row and any(cell.strip() for cell in row):
            yield line, row


# --- OFAC SDN ------------------------------------------------------------------------------


@dataclass(slots=True)
class _OfacRecord:
    ident: str
    kind: EntityKind
    name: str
    program: str
    aliases: list[str] = field(default_factory=list)
    weak: list[str] = field(default_factory=list)
    dob: list[str] = field(default_factory=list)
    nationality: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    registrations: list[str] = field(default_factory=list)
    unparsed_dates: int = 0


def import_ofac(
    sdn: Path,
    alt: Path | None = None,
    *,
    generated: dt.datetime | None = None,
) -> ImportResult:
    """Read OFAC's legacy `sdn.csv` (and `alt.csv` for alternate names) into entries.

    Individuals become persons; entities (type `-0-`) organisations; vessels and aircraft are
    skipped and counted (they are not screened by name at a document desk). From Remarks we take
    `DOB`, `nationality`/`citizen`, passport and ID numbers, registration numbers, and quoted
    `a.k.a.` names, which OFAC calls weak aliases (kept as `weak_aliases`). Ids are
    `ofac-<ent_num>`.
    The CSV carries no publication date: pass `generated` (else the loader uses the file mtime).
    """
    path = Path(sdn)
    text = _text_of(_read(path))
    problems: list[RowProblem] = []
    skipped: Counter[str] = Counter()
    records: dict[str, _OfacRecord] = {}
    with _big_fields():
        rows = list(_csv_rows(text, path))
    for line, row in rows:
        if len(row) != _OFAC_SDN_COLUMNS:
            problems.append(
                RowProblem(
                    str(path), line, "", f"expected {_OFAC_SDN_COLUMNS} columns, found {len(row)}"
                )
            )
            continue
        ent_num, name, sdn_type, program = (_cell(c) for c in row[:4])
        remarks = _cell(row[11])
        if not ent_num.isdigit():
            problems.append(RowProblem(str(path), line, "ent_num", "not a number"))
            continue
        if not name:
            problems.append(RowProblem(str(path), line, "SDN_Name", "the name is empty"))
            continue
        kind = _OFAC_KINDS.get(sdn_type.lower())
        if kind is None:
            skipped[sdn_type.lower() or "unknown"] += 1
            continue
        ident = f"ofac-{ent_num}"
        if ident in records:
            problems.append(RowProblem(str(path), line, "ent_num", "duplicate entry number"))
            continue
        record = _OfacRecord(ident, kind, name, program)
        _parse_remarks(remarks, record)
        records[ident] = record
    if alt is not None:
        _read_ofac_alt(Path(alt), records, problems, skipped)
    unparsed = sum(r.unparsed_dates for r in records.values())
    if unparsed:
        skipped["date of birth not recognised (dropped)"] += unparsed
    entries = tuple(
        WatchlistEntry(
            id=r.ident,
            kind=r.kind,
            name=r.name,
            aliases=_unique(r.aliases, r.name),
            weak_aliases=_unique(r.weak, r.name, *r.aliases),
            reason=r.program.replace("] [", "; ").strip("[]"),
            source=OFAC_SOURCE,
            dob=_unique(r.dob, ""),
            nationality=_nationalities(r.nationality, skipped),
            document_numbers=_unique(r.documents, ""),
            registration_numbers=_unique(r.registrations, ""),
        )
        for r in records.values()
    )
    return ImportResult(OFAC_SOURCE, entries, generated, dict(skipped), tuple(problems))


def ofac_file_kind(path: Path) -> str:
    """Which OFAC legacy CSV a file is, from its first row: `sdn`, `alt`, `add` or `unknown`.

    The files have no header; their column counts differ (12, 5 and 6), so users may pass
    them in any order, e.g. `--from ofac sdn_files/*.csv`.
    """
    head = _read(Path(path))[:65536].decode("latin-1")
    with _big_fields():
        first = next((row for _, row in _csv_rows(head.split("\n", 1)[0], path)), [])
    return {_OFAC_SDN_COLUMNS: "sdn", _OFAC_ALT_COLUMNS: "alt", 6: "add"}.get(len(first), "unknown")


def _read_ofac_alt(
    path: Path,
    records: dict[str, _OfacRecord],
    problems: list[RowProblem],
    skipped: Counter[str],
) -> None:
    text = _text_of(_read(path))
    with _big_fields():
        rows = list(_csv_rows(text, path))
    for line, row in rows:
        if len(row) != _OFAC_ALT_COLUMNS:
            problems.append(
                RowProblem(
                    str(path), line, "", f"expected {_OFAC_ALT_COLUMNS} columns, found {len(row)}"
                )
            )
            continue
        ent_num, _alt_num, alt_type, alt_name = (_cell(c) for c in row[:4])
        if not alt_name:
            continue
        record = records.get(f"ofac-{ent_num}")
        if record is None:
            skipped["alt name of a skipped or unknown entry"] += 1
            continue
        if "weak" in alt_type.lower():
            record.weak.append(alt_name)
        else:
            record.aliases.append(alt_name)  # aka, fka, nka: all names the person has used


def _parse_remarks(remarks: str, record: _OfacRecord) -> None:
    for raw_item in remarks.rstrip(".").split(";"):
        item = raw_item.strip()
        if not item:
            continue
        if item.startswith(("a.k.a.", "f.k.a.", "n.k.a.")):
            # One name per item, quoted with apostrophes that may also occur inside the name
            # ('AL-QA'QA'), so take everything between the first and the last quote.
            weak = item[6:].strip().strip("'").strip()
            if weak:
                record.weak.append(weak)
            continue
        lowered = item.lower().removeprefix("alt. ")
        label = next((lb for lb in _REMARK_LABELS if lowered.startswith(lb + " ")), None)
        if label is None:
            continue
        value = item[len(item) - len(lowered) + len(label) :].strip()
        if label == "dob":
            parsed = normalise_dates(value)
            record.dob.extend(parsed)
            if not parsed:
                record.unparsed_dates += 1
        elif label in {"nationality", "citizen"}:
            record.nationality.append(value)
        else:
            number = _NUMBER_VALUE.match(value)
            if number is None:
                continue
            target = record.documents if label in _OFAC_DOCUMENT_LABELS else record.registrations
            target.append(number.group("number"))


class _big_fields:  # noqa: N801 - used as a `with` statement, like contextlib helpers
    """Raise the csv module's per-field limit while reading a trusted-size source (restored)."""

    def __enter__(self) -> None:
        self._previous = csv.field_size_limit()
        csv.field_size_limit(max(self._previous, MAX_FILE_BYTES))

    def __exit__(self, *exc: object) -> None:
        csv.field_size_limit(self._previous)


# --- UN Security Council consolidated list -----------------------------------------------------


def import_un(path: Path) -> ImportResult:
    """Read the UN Security Council consolidated list XML (INDIVIDUALS and ENTITIES).

    Persons are named FIRST..FOURTH_NAME joined with spaces (as the UN prints them); entities by
    FIRST_NAME. Aliases of quality Low go to `weak_aliases`; Good, a.k.a., f.k.a. and unlabelled
    ones, and NAME_ORIGINAL_SCRIPT, are aliases. Dates of birth come from DATE, YEAR or the
    FROM_YEAR..TO_YEAR range; documents from INDIVIDUAL_DOCUMENT/NUMBER. Ids are `un-<DATAID>`;
    the list's own `dateGenerated` becomes `generated`. defusedxml refuses DTDs and entities.
    """
    from defusedxml import ElementTree  # noqa: PLC0415 - only the import command needs it
    from defusedxml.common import DefusedXmlException  # noqa: PLC0415

    path = Path(path)
    data = _read(path)
    try:
        root = ElementTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise WatchlistError(
            f"The UN list {path} contains a DTD or entity declarations; refusing to parse it.",
            code="import_invalid",
            path=str(path),
        ) from None
    except ElementTree.ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise WatchlistError(
            f"The UN list {path} is not well-formed XML (line {line}, column {column + 1}).",
            code="import_invalid",
            path=str(path),
            line=line,
        ) from None
    if root.tag != "CONSOLIDATED_LIST":
        raise WatchlistError(
            f"The file {path} is not a UN consolidated list (no CONSOLIDATED_LIST root).",
            code="import_invalid",
            path=str(path),
        )
    generated = _parse_datetime(root.get("dateGenerated", ""))
    problems: list[RowProblem] = []
    skipped: Counter[str] = Counter()
    entries: list[WatchlistEntry] = []
    seen: set[str] = set()
    for index, element in enumerate(
        [*root.iterfind("INDIVIDUALS/INDIVIDUAL"), *root.iterfind("ENTITIES/ENTITY")], 1
    ):
        entry = _un_entry(element, skipped)
        where = f"{element.tag.lower()} #{index}"
        if entry is None:
            problems.append(RowProblem(str(path), 0, where, "the record has no id or no name"))
        elif entry.id in seen:
            problems.append(RowProblem(str(path), 0, where, "duplicate DATAID"))
        else:
            seen.add(entry.id)
            entries.append(entry)
    return ImportResult(UN_SOURCE, tuple(entries), generated, dict(skipped), tuple(problems))


def _txt(element: Element | None) -> str:
    return " ".join((element.text or "").split()) if element is not None else ""


def _un_entry(element: Element, skipped: Counter[str]) -> WatchlistEntry | None:
    person = element.tag == "INDIVIDUAL"
    data_id = _txt(element.find("DATAID"))
    parts = [_txt(element.find(tag)) for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME")]
    parts.append(_txt(element.find("FOURTH_NAME")))
    name = " ".join(p for p in (parts if person else parts[:1]) if p)
    if not data_id or not name:
        return None
    aliases: list[str] = []
    weak: list[str] = []
    for alias in element.iterfind("INDIVIDUAL_ALIAS" if person else "ENTITY_ALIAS"):
        alias_name = _txt(alias.find("ALIAS_NAME"))
        if not alias_name:
            continue
        quality = _txt(alias.find("QUALITY")).lower()
        (weak if quality == "low" else aliases).append(alias_name)
    original = _txt(element.find("NAME_ORIGINAL_SCRIPT"))
    if original:
        aliases.append(original)
    dobs: list[str] = []
    for birth in element.iterfind("INDIVIDUAL_DATE_OF_BIRTH"):
        value = _txt(birth.find("DATE")) or _txt(birth.find("YEAR"))
        low, high = _txt(birth.find("FROM_YEAR")), _txt(birth.find("TO_YEAR"))
        if value:
            parsed = normalise_dates(value[:10])
        elif low and high:
            parsed = normalise_dates(f"{low} to {high}")
        else:
            continue
        dobs.extend(parsed)
        if not parsed:
            skipped["date of birth not recognised (dropped)"] += 1
    nationality = [_txt(v) for v in element.iterfind("NATIONALITY/VALUE") if _txt(v)]
    documents = [
        _txt(doc.find("NUMBER"))
        for doc in element.iterfind("INDIVIDUAL_DOCUMENT")
        if _txt(doc.find("NUMBER"))
    ]
    program = _txt(element.find("UN_LIST_TYPE"))
    reference = _txt(element.find("REFERENCE_NUMBER"))
    return WatchlistEntry(
        id=f"un-{data_id}",
        kind=EntityKind.PERSON if person else EntityKind.ORGANIZATION,
        name=name,
        aliases=_unique(aliases, name),
        weak_aliases=_unique(weak, name, *aliases),
        reason=f"{program}; ref {reference}" if reference else program,
        source=UN_SOURCE,
        listed_on=_txt(element.find("LISTED_ON"))[:10],
        dob=_unique(dobs, ""),
        nationality=_nationalities(nationality, skipped),
        document_numbers=_unique(documents, ""),
    )


# --- OpenSanctions FollowTheMoney --------------------------------------------------------------


def import_ftm(*paths: Path) -> ImportResult:
    """Read FollowTheMoney entities, one JSON object per line (OpenSanctions `entities.ftm.json`).

    Schemas Person → person; Organization, Company, LegalEntity, PublicBody → organisation;
    every other schema (Vessel, Address, Sanction, ...) is skipped and counted. Properties used:
    name (the first is the primary name), alias and previousName (aliases), weakAlias (weak),
    birthDate, nationality and citizenship, passportNumber/idNumber (documents),
    registrationNumber/taxNumber/leiCode/... (registrations), program or topics (reason). The
    entity id is kept as is. `datasets` becomes `source`, `first_seen` the listing date.
    Several files are read as one list: an id used twice, in one file or across files, is a
    problem.
    """
    problems: list[RowProblem] = []
    skipped: Counter[str] = Counter()
    entries: list[WatchlistEntry] = []
    seen: dict[str, str] = {}
    for path in paths:
        _read_ftm_file(Path(path), entries, seen, skipped, problems)
    return ImportResult("opensanctions_ftm", tuple(entries), None, dict(skipped), tuple(problems))


def _read_ftm_file(
    path: Path,
    entries: list[WatchlistEntry],
    seen: dict[str, str],
    skipped: Counter[str],
    problems: list[RowProblem],
) -> None:
    text = _text_of(_read(path))
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            problems.append(RowProblem(str(path), number, "", "malformed JSON"))
            continue
        if not isinstance(obj, dict) or not isinstance(obj.get("properties", {}), dict):
            problems.append(RowProblem(str(path), number, "", "not a FollowTheMoney entity"))
            continue
        schema = str(obj.get("schema", ""))
        if schema in _FTM_PERSON:
            kind = EntityKind.PERSON
        elif schema in _FTM_ORGANIZATION:
            kind = EntityKind.ORGANIZATION
        else:
            skipped[schema or "no schema"] += 1
            continue
        entry = _ftm_entry(obj, kind, skipped)
        if entry is None:
            problems.append(RowProblem(str(path), number, "", "the entity has no id or no name"))
            continue
        if entry.id in seen:
            problems.append(
                RowProblem(
                    str(path), number, "id", f"duplicate id: already used at {seen[entry.id]}"
                )
            )
            continue
        seen[entry.id] = f"{path}:{number}"
        entries.append(entry)


def _values(props: Mapping[str, Any], *keys: str) -> list[str]:
    found: list[str] = []
    for key in keys:
        value = props.get(key)
        items = value if isinstance(value, list) else [value]
        found.extend(" ".join(str(v).split()) for v in items if isinstance(v, str | int) and v)
    return found


def _ftm_entry(
    obj: Mapping[str, Any], kind: EntityKind, skipped: Counter[str]
) -> WatchlistEntry | None:
    ident = obj.get("id")
    props: Mapping[str, Any] = obj.get("properties") or {}
    names = _values(props, "name")
    if not isinstance(ident, str) or not ident.strip() or not names:
        return None
    name = names[0]
    aliases = [*names[1:], *_values(props, "alias", "previousName")]
    dobs: list[str] = []
    for value in _values(props, "birthDate"):
        parsed = normalise_dates(value[:10])
        dobs.extend(parsed)
        if not parsed:
            skipped["date of birth not recognised (dropped)"] += 1
    datasets = obj.get("datasets")
    source = "; ".join(str(d) for d in datasets) if isinstance(datasets, list) else "opensanctions"
    first_seen = obj.get("first_seen")
    return WatchlistEntry(
        id=ident.strip(),
        kind=kind,
        name=name,
        aliases=_unique(aliases, name),
        weak_aliases=_unique(_values(props, "weakAlias"), name, *aliases),
        reason="; ".join(_values(props, "program") or _values(props, "topics")),
        source=source,
        listed_on=first_seen[:10] if isinstance(first_seen, str) else "",
        dob=_unique(dobs, ""),
        nationality=_nationalities(
            [v.upper() for v in _values(props, "nationality", "citizenship")], skipped
        ),
        document_numbers=_unique(_values(props, *_FTM_DOCUMENT_PROPS), ""),
        registration_numbers=_unique(_values(props, *_FTM_REGISTRATION_PROPS), ""),
    )


# --- helpers -----------------------------------------------------------------------------------


def _unique(values: Iterable[str], *exclude: str) -> tuple[str, ...]:
    """Values in order without repeats, ignoring case (`KIM KYONG OK` = `Kim Kyong Ok`)."""
    seen = {e.casefold() for e in exclude}
    kept: list[str] = []
    for value in values:
        key = value.casefold()
        if value and key not in seen:
            seen.add(key)
            kept.append(value)
    return tuple(kept)


def _nationalities(values: Iterable[str], skipped: Counter[str]) -> tuple[str, ...]:
    """Country names or codes → ICAO codes; unrecognised ones are dropped and counted."""
    codes: list[str] = []
    for value in values:
        code = nationality_code(value)
        if code is None:
            skipped["nationality not recognised (dropped)"] += 1
        else:
            codes.append(code)
    return _unique(codes, "")


def _parse_datetime(value: str) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
