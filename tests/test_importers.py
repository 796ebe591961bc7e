"""Importers of OFAC SDN CSV, UN consolidated XML and FollowTheMoney JSON lines.

The real files under ../shared/data/names/raw are imported and cross-checked against
../shared/data/names/watchlist.jsonl, which was built from the same sources independently.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from screening.errors import WatchlistError
from screening.importers import import_ftm, import_ofac, import_un
from screening.model import EntityKind
from screening.watchlist import dump_jsonl, load_watchlist

DATA = Path(__file__).resolve().parent / "data"
NOW = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def reference(shared_data):
    """watchlist.jsonl, loaded, keyed by id."""
    loaded = load_watchlist(shared_data / "names" / "watchlist.jsonl", now=NOW)
    return {e.id: e for e in loaded.entries}


@pytest.fixture(scope="module")
def ofac(shared_data):
    raw = shared_data / "names" / "raw" / "ofac_sdn"
    return import_ofac(raw / "sdn.csv", raw / "alt.csv")


@pytest.fixture(scope="module")
def un(shared_data):
    return import_un(shared_data / "names" / "raw" / "un" / "UN_consolidated.xml")


def strong_names(entry):
    return {n.casefold() for n in (entry.name, *entry.aliases)}


# --- OFAC on the real files ---------------------------------------------------------------------


def test_ofac_real_files_counts(ofac):
    """sdn.csv: 6,854 individuals and 6,884 entities imported; vessels and aircraft skipped."""
    kinds = Counter(e.kind for e in ofac.entries)
    assert kinds == {EntityKind.PERSON: 6854, EntityKind.ORGANIZATION: 6884}
    assert ofac.skipped["vessel"] == 851
    assert ofac.skipped["aircraft"] == 376
    assert ofac.problems == ()  # the trailing Ctrl-Z line is the end of file, not a bad row


def test_ofac_matches_the_reference_list(ofac, reference):
    """Same ids, kinds and every reference name (31,599) as watchlist.jsonl's OFAC part."""
    ours = {e.id: e for e in ofac.entries}
    theirs = {k: v for k, v in reference.items() if v.source == "us_ofac_sdn"}
    assert ours.keys() == theirs.keys()
    assert all(ours[k].kind is theirs[k].kind for k in ours)
    assert sum(len(strong_names(e)) for e in ofac.entries) == 31599
    missing = [k for k in ours if not strong_names(theirs[k]) <= strong_names(ours[k])]
    assert missing == []
    # Remarks' quoted a.k.a. names are extra, and kept apart as weak aliases.
    assert sum(len(e.weak_aliases) for e in ofac.entries) > 3000


def test_ofac_remarks_evidence(ofac):
    """DOB, passport numbers, nationality and registration numbers come from Remarks."""
    entries = {e.id: e for e in ofac.entries}
    zawahiri = entries["ofac-2676"]
    assert zawahiri.dob == ("1951-06-19",)
    assert zawahiri.document_numbers == ("1084010", "19820215")
    assert zawahiri.reason == "SDGT"
    marzook = entries["ofac-3754"]
    assert "ABU-'UMAR" in marzook.weak_aliases  # apostrophes inside the quoted name survive
    assert sum(1 for e in ofac.entries if e.nationality) > 5000
    assert Counter(n for e in ofac.entries for n in e.nationality).most_common(1)[0][0] == "RUS"
    assert sum(1 for e in ofac.entries if e.registration_numbers) > 4000


def test_ofac_synthetic_rows(tmp_path):
    """-0- cells, Remarks items, alt.csv names, a bad row and a vessel, on a small file."""
    sdn = tmp_path / "sdn.csv"
    sdn.write_text(
        '1,"REKAAN, Budi","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
        '"DOB 01 Jan 1970; alt. DOB 1971; POB Contoh; nationality Indonesia; citizen Malaysia; '
        "Passport X0000001 (Indonesia); National ID No. 0000000000000001 (Indonesia); "
        "a.k.a. 'BUDI'; a.k.a. 'AL-QA'QA'.\"\r\n"
        '2,"PT CONTOH","-0- ","SDGT] [IRGC",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
        '"Registration Number 0000000000002 (Indonesia); nationality na."\r\n'
        '3,"KM FIKTIF","vessel","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
        '4,"BROKEN ROW"\r\n'
        '5,-0- ,"individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
        "\x1a",
        encoding="ascii",
    )
    alt = tmp_path / "alt.csv"
    alt.write_text(
        '1,11,"aka","REKAAN, Budi Santoso",-0- \r\n'
        '1,12,"fka","SANTOSO, Budi",-0- \r\n'
        '3,13,"aka","KM KHAYALAN",-0- \r\n'
        '2,14,"weak aka","CONTOH",-0- \r\n',
        encoding="ascii",
    )
    result = import_ofac(sdn, alt)
    budi, contoh = result.entries
    assert budi.id == "ofac-1"
    assert budi.kind is EntityKind.PERSON
    assert budi.aliases == ("REKAAN, Budi Santoso", "SANTOSO, Budi")
    assert budi.weak_aliases == ("BUDI", "AL-QA'QA")
    assert budi.dob == ("1970-01-01", "1971")
    assert budi.nationality == ("IDN", "MYS")
    assert budi.document_numbers == ("X0000001", "0000000000000001")
    assert contoh.kind is EntityKind.ORGANIZATION
    assert contoh.reason == "SDGT; IRGC"
    assert contoh.registration_numbers == ("0000000000002",)
    assert contoh.nationality == ()  # "na" is "not available", not Namibia
    assert contoh.weak_aliases == ("CONTOH",)
    assert result.skipped["vessel"] == 1
    assert [(p.line, p.column) for p in result.problems] == [(4, ""), (5, "SDN_Name")]


def test_ofac_ctrl_z_inside_the_file_is_not_an_end_of_file(tmp_path):
    """Only a trailing Ctrl-Z ends the file; rows after an inner one are still read."""
    sdn = tmp_path / "sdn.csv"
    row = '{n},"CONTOH {n}","-0- ","X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    sdn.write_text(row.format(n=1) + "\x1a\r\n" + row.format(n=2) + "\x1a")
    result = import_ofac(sdn)
    assert [e.id for e in result.entries] == ["ofac-1", "ofac-2"]
    assert [p.line for p in result.problems] == [2]


def test_ofac_missing_file_is_unreadable(tmp_path):
    """A missing source is a WatchlistError, not an OSError."""
    with pytest.raises(WatchlistError) as caught:
        import_ofac(tmp_path / "sdn.csv")
    assert caught.value.code == "watchlist_unreadable"


# --- UN on the real file --------------------------------------------------------------------------


def test_un_real_file_counts_and_date(un):
    """1,003 records (730 individuals, 273 entities), dated by the list's dateGenerated."""
    assert Counter(e.kind for e in un.entries) == {
        EntityKind.PERSON: 730,
        EntityKind.ORGANIZATION: 273,
    }
    assert un.generated == dt.datetime(2026, 2, 27, 0, 0, 9, 554000, tzinfo=dt.UTC)
    assert un.problems == ()


def test_un_matches_the_reference_list(un, reference):
    """Same ids and kinds as watchlist.jsonl's UN part; every reference name is imported."""
    ours = {e.id: e for e in un.entries}
    theirs = {k: v for k, v in reference.items() if v.source == "un_sc_consolidated"}
    assert ours.keys() == theirs.keys()
    assert all(ours[k].kind is theirs[k].kind for k in ours)

    def every_name(entry):
        # The reference keeps line breaks inside some names; compare whitespace-normalised.
        names = (entry.name, *entry.aliases, *entry.weak_aliases)
        return {" ".join(n.split()).casefold() for n in names}

    assert all(every_name(theirs[k]) == every_name(ours[k]) for k in ours)
    weak_ours = sum(len(e.weak_aliases) for e in un.entries)
    assert weak_ours == sum(len(e.weak_aliases) for e in theirs.values()) == 615


def test_un_record_details(un):
    """Original-script names are aliases; dates of birth, nationality, documents, listing date."""
    entries = {e.id: e for e in un.entries}
    saddam = entries["un-6908048"]
    assert saddam.name == "SADDAM HUSSEIN AL-TIKRITI"
    assert "صدام حسين التكريتي" in saddam.aliases
    assert saddam.dob == ("1937-04-28",)
    assert saddam.nationality == ("IRQ",)
    assert saddam.reason == "Iraq; ref IQi.001"
    badege = entries["un-6907993"]
    assert (badege.dob, badege.nationality, badege.listed_on) == (("1971",), ("COD",), "2012-12-31")
    assert sum(1 for e in un.entries if e.document_numbers) > 200


UN_HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n'


@pytest.mark.parametrize(
    "body",
    [
        (
            '<!DOCTYPE x [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            "<CONSOLIDATED_LIST>&b;</CONSOLIDATED_LIST>"
        ),
        '<!DOCTYPE x SYSTEM "http://example.invalid/x.dtd"><CONSOLIDATED_LIST/>',
    ],
)
def test_un_refuses_dtds_and_entities(tmp_path, body):
    """defusedxml refuses entity expansion and external DTDs: import_invalid, nothing fetched."""
    path = tmp_path / "un.xml"
    path.write_text(UN_HEADER + body, encoding="utf-8")
    with pytest.raises(WatchlistError) as caught:
        import_un(path)
    assert caught.value.code == "import_invalid"


def test_un_malformed_xml_reports_the_line(tmp_path):
    """Broken XML: import_invalid with the line number."""
    path = tmp_path / "un.xml"
    path.write_text(UN_HEADER + "<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n</CONSOLIDATED_LIST>")
    with pytest.raises(WatchlistError, match="line 4") as caught:
        import_un(path)
    assert caught.value.code == "import_invalid"


def test_un_wrong_root(tmp_path):
    """Well-formed XML that is not the UN list is refused."""
    path = tmp_path / "un.xml"
    path.write_text(UN_HEADER + "<html/>")
    with pytest.raises(WatchlistError, match="not a UN consolidated list"):
        import_un(path)


def test_un_synthetic_record(tmp_path):
    """Name parts joined, Low aliases weak, year ranges expanded, a nameless record a problem."""
    path = tmp_path / "un.xml"
    path.write_text(
        UN_HEADER
        + """<CONSOLIDATED_LIST dateGenerated="2026-01-02T03:04:05Z"><INDIVIDUALS>
<INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>BUDI</FIRST_NAME><SECOND_NAME>REKAAN</SECOND_NAME>
<THIRD_NAME>FIKTIF</THIRD_NAME><UN_LIST_TYPE>Test</UN_LIST_TYPE>
<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Budi R.</ALIAS_NAME></INDIVIDUAL_ALIAS>
<INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Bud</ALIAS_NAME></INDIVIDUAL_ALIAS>
<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1970</FROM_YEAR>
<TO_YEAR>1972</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>
<NATIONALITY><VALUE>Indonesia</VALUE></NATIONALITY>
<INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER>X0000009</NUMBER>
</INDIVIDUAL_DOCUMENT></INDIVIDUAL>
<INDIVIDUAL><DATAID>2</DATAID></INDIVIDUAL>
</INDIVIDUALS><ENTITIES><ENTITY><DATAID>3</DATAID><FIRST_NAME>CONTOH GROUP</FIRST_NAME>
<ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>CG</ALIAS_NAME></ENTITY_ALIAS>
</ENTITY></ENTITIES></CONSOLIDATED_LIST>""",
        encoding="utf-8",
    )
    result = import_un(path)
    budi, group = result.entries
    assert budi.name == "BUDI REKAAN FIKTIF"
    assert (budi.aliases, budi.weak_aliases) == (("Budi R.",), ("Bud",))
    assert budi.dob == ("1970", "1971", "1972")
    assert (budi.nationality, budi.document_numbers) == (("IDN",), ("X0000009",))
    assert (group.id, group.kind, group.aliases) == ("un-3", EntityKind.ORGANIZATION, ("CG",))
    assert [p.column for p in result.problems] == ["individual #2"]
    assert result.generated == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


# --- FollowTheMoney -------------------------------------------------------------------------------


def test_ftm_fixture():
    """Parties imported, other schemas skipped and counted, bad lines reported with line numbers."""
    result = import_ftm(DATA / "ftm_sample.json")
    entries = {e.id: e for e in result.entries}
    assert list(entries) == ["fx-person-1", "fx-company-1", "fx-org-1", "fx-legal-1"]
    person = entries["fx-person-1"]
    assert person.kind is EntityKind.PERSON
    assert person.aliases == ("Hartono K.", "Hartono Khajalan")
    assert person.weak_aliases == ("Tono",)
    assert (person.dob, person.nationality) == (("1969-04-02",), ("IDN",))
    assert person.document_numbers == ("X0000082",)
    assert (person.reason, person.source, person.listed_on) == (
        "crime",
        "fixture_invented",
        "2026-01-05",
    )
    company = entries["fx-company-1"]
    assert company.kind is EntityKind.ORGANIZATION
    assert company.aliases == ("Fiktif Lintas Samudra", "CV Fiktif Lintas")
    assert company.registration_numbers == ("0000000000091",)
    assert entries["fx-org-1"].nationality == ("IDN",)
    assert entries["fx-legal-1"].registration_numbers == ("000000000000000000X1",)
    assert result.skipped == {
        "Vessel": 1,
        "Sanction": 1,
        "nationality not recognised (dropped)": 1,
    }
    assert [(p.line, p.column) for p in result.problems] == [(7, ""), (8, "id"), (9, "")]


def test_ftm_duplicate_ids_across_files(tmp_path):
    """Two files are one list: an id repeated in the second file is a problem."""
    first = tmp_path / "a.json"
    second = tmp_path / "b.json"
    row = '{"id": "x", "schema": "Person", "properties": {"name": ["Sari Rekaan"]}}\n'
    first.write_text(row)
    second.write_text(row)
    result = import_ftm(first, second)
    assert len(result.entries) == 1
    assert [p.path for p in result.problems] == [str(second)]


# --- output ------------------------------------------------------------------------------------


def test_imported_entries_round_trip_through_the_native_format(tmp_path, un):
    """Imported entries written as native JSON lines load back identical and dated."""
    path = tmp_path / "un.jsonl"
    path.write_text(dump_jsonl(un.entries, generated=un.generated), encoding="utf-8")
    loaded = load_watchlist(path, now=NOW)
    assert loaded.entries == un.entries
    assert loaded.info.age_days == pytest.approx(274, abs=1)
