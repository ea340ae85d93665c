"""The register CSV reader (pure Python): header variants, delimiters, BOM, every kind of bad line."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from app.ages import age_on
from app.register_csv import (
    LineError,
    RegisterFile,
    RegisterFileError,
    RegisterRow,
    RegisterRules,
    decode_register_file,
)

VOTING_DAY = date(2026, 6, 1)
RULES = RegisterRules(person_level=True, min_age=12, age_on=VOTING_DAY, buurten={"noord": 7, "oude stad": 8})


def check_all(text: str, rules: RegisterRules = RULES) -> list[RegisterRow | LineError]:
    register_file = RegisterFile(text)
    return [register_file.check_line(line, cells, rules) for line, cells in register_file.lines()]


def only(text: str, rules: RegisterRules = RULES) -> RegisterRow | LineError:
    [checked] = check_all(text, rules)
    return checked


def test_reads_dutch_header_with_semicolons() -> None:
    row = only(
        "referentie;postcode;huisnummer;toevoeging;geboortedatum;buurt;geheim\n"
        "A-1;1234 ab;12;b;2000-02-29;Noord;nee\n"
    )
    assert row == RegisterRow(
        line=2,
        reference="A-1",
        postcode="1234AB",
        house_number=12,
        addition="B",
        birth_date=date(2000, 2, 29),
        buurt_id=7,
        confidential=False,
    )


@pytest.mark.parametrize(
    "header",
    [
        "reference,postal code,house number,addition,date of birth,neighbourhood,confidential",
        "Referentie,Postcode,Huis_nummer,Huisnummer-toevoeging,Geboortedatum,Buurt,Geheim",
        "ID,ZIP,Nr,Toev,DOB,District,Secret",
    ],
)
def test_header_variants_and_comma_delimiter(header: str) -> None:
    row = only(f'{header}\nR7,1234ab,3,,01-05-1990,"oude  stad",ja\n')
    assert isinstance(row, RegisterRow)
    assert (row.reference, row.postcode, row.house_number, row.addition) == ("R7", "1234AB", 3, "")
    assert (row.birth_date, row.buurt_id, row.confidential) == (date(1990, 5, 1), 8, True)


def test_bom_is_ignored_in_bytes_and_in_text() -> None:
    data = "\ufeffreferentie;postcode;huisnummer\nR1;1234AB;1\n".encode()
    text = decode_register_file(data)
    assert not text.startswith("\ufeff")
    assert isinstance(only(text), RegisterRow)
    assert isinstance(only("\ufeffreferentie;postcode;huisnummer\nR1;1234AB;1\n"), RegisterRow)


def test_windows_line_endings_and_blank_lines_are_fine() -> None:
    checked = check_all("referentie;postcode;huisnummer\r\nR1;1234AB;1\r\n\r\n;;\r\nR2;1234AB;2\r\n")
    assert [c.line for c in checked] == [2, 5]
    assert all(isinstance(c, RegisterRow) for c in checked)


def test_not_utf8_is_refused() -> None:
    with pytest.raises(RegisterFileError) as exc:
        decode_register_file("referentie;postcode;huisnummer\nR1;1234AB;1 straße\n".encode("latin-1"))
    assert exc.value.code == "not_utf8"


@pytest.mark.parametrize(
    ("header", "code", "detail"),
    [
        ("referentie;postcode;huisnummer;Achternaam", "names", "Achternaam"),
        ("referentie;naam;postcode;huisnummer", "names", "naam"),
        ("reference,first name,postcode,house number", "names", "first name"),
        ("referentie;voornamen;postcode;huisnummer", "names", "voornamen"),
        ("referentie;BSN;postcode;huisnummer", "bsn", "BSN"),
        ("referentie;postcode", "column_missing", "house_number"),
        ("postcode;huisnummer", "column_missing", "reference"),
        ("referentie;postcode;huisnummer;huisnr", "column_twice", "huisnr"),
        ("", "empty", ""),
    ],
)
def test_unusable_headers_refuse_the_whole_file(header: str, code: str, detail: str) -> None:
    with pytest.raises(RegisterFileError) as exc:
        RegisterFile(f"{header}\nR1;1234AB;1;x\n")
    assert (exc.value.code, exc.value.detail) == (code, detail)


def test_binary_content_is_refused() -> None:
    with pytest.raises(RegisterFileError) as exc:
        RegisterFile("referentie;postcode;huisnummer\nR1;1234AB;1\x00\n")
    assert exc.value.code == "not_text"


def test_other_columns_are_never_read() -> None:
    row = only("referentie;straatnaam;postcode;huisnummer\nR1;Dorpsstraat;1234AB;1\n")
    assert isinstance(row, RegisterRow)
    assert "Dorpsstraat" not in repr(row)


@pytest.mark.parametrize(
    ("cells", "code", "detail"),
    [
        (";1234AB;1;;;;", "reference_missing", ""),
        ("R" * 65 + ";1234AB;1;;;;", "reference_too_long", "64"),
        ("R1;;1;;;;", "postcode_missing", ""),
        ("R1;0123AB;1;;;;", "postcode_invalid", "0123AB"),
        ("R1;1234A;1;;;;", "postcode_invalid", "1234A"),
        ("R1;12345AB;1;;;;", "postcode_invalid", "12345AB"),
        ("R1;1234 SS;1;;;;", "postcode_letters_unused", "1234 SS"),
        ("R1;1234sa;1;;;;", "postcode_letters_unused", "1234sa"),
        ("R1;1234SD;1;;;;", "postcode_letters_unused", "1234SD"),
        ("R1;1234AB;;;;;", "house_number_missing", ""),
        ("R1;1234AB;0;;;;", "house_number_invalid", "0"),
        ("R1;1234AB;100000;;;;", "house_number_invalid", "100000"),
        ("R1;1234AB;12a;;;;", "house_number_invalid", "12a"),
        ("R1;1234AB;-3;;;;", "house_number_invalid", "-3"),
        ("R1;1234AB;1;ABCDEFGHIJK;;;", "addition_too_long", "ABCDEFGHIJK"),
        ("R1;1234AB;1;;31-02-2000;;", "birth_date_invalid", "31-02-2000"),
        ("R1;1234AB;1;;2000/01/01;;", "birth_date_invalid", "2000/01/01"),
        ("R1;1234AB;1;;1850-01-01;;", "birth_date_invalid", "1850-01-01"),
        ("R1;1234AB;1;;2030-01-01;;", "birth_date_future", "2030-01-01"),
        ("R1;1234AB;1;;2014-06-02;;", "too_young", "11"),
        ("R1;1234AB;1;;;Zuid;", "buurt_unknown", "Zuid"),
        ("R1;1234AB;1;;;;misschien", "confidential_invalid", "misschien"),
        ("R1;1234AB;1;;;;;extra", "too_many_columns", "8"),
        ('R1;"1234AB;1;;;;\n', "unreadable", ""),
    ],
)
def test_every_kind_of_bad_line_has_its_reason(cells: str, code: str, detail: str) -> None:
    header = "referentie;postcode;huisnummer;toevoeging;geboortedatum;buurt;geheim\n"
    assert only(header + cells + "\n") == LineError(2, code, detail)


def test_bad_lines_keep_their_line_numbers_and_good_lines_are_kept() -> None:
    checked = check_all(
        "referentie;postcode;huisnummer\n"
        "R1;1234AB;1\n"
        "R2;0123AB;2\n"
        "\n"
        "R3;1234AB;3\n"
        '"R4\nmet nieuwe regel";1234AB;x\n'
        "R5;1234AB;5\n"
    )
    assert [(c.line, type(c).__name__) for c in checked] == [
        (2, "RegisterRow"),
        (3, "LineError"),
        (5, "RegisterRow"),
        (6, "LineError"),  # a quote never closed on its line spoils that line only
        (7, "LineError"),
        (8, "RegisterRow"),
    ]


def test_the_minimum_age_counts_on_the_voting_day() -> None:
    header = "referentie;postcode;huisnummer;geboortedatum\n"
    turns_12_that_day = only(header + "R1;1234AB;1;01-06-2014\n")
    one_day_short = only(header + "R1;1234AB;1;2014-06-02\n")
    assert isinstance(turns_12_that_day, RegisterRow)
    assert one_day_short == LineError(2, "too_young", "11")


def test_birth_date_required_only_when_the_rules_say_so() -> None:
    text = "referentie;postcode;huisnummer;geboortedatum\nR1;1234AB;1;\n"
    assert isinstance(only(text), RegisterRow)
    required = RegisterRules(person_level=True, min_age=12, age_on=VOTING_DAY, birth_date_required=True)
    assert only(text, required) == LineError(2, "birth_date_missing", "")


def test_a_household_register_keeps_no_birth_date_and_checks_no_age() -> None:
    household = RegisterRules(person_level=False, min_age=12, age_on=VOTING_DAY)
    row = only("referentie;postcode;huisnummer;geboortedatum\nH1;1234AB;1;2020-01-01\n", household)
    assert isinstance(row, RegisterRow) and row.birth_date is None


def test_birth_date_formats() -> None:
    header = "referentie;postcode;huisnummer;geboortedatum\n"
    for text in ("1980-12-31", "31-12-1980", "19801231"):
        row = only(header + f"R1;1234AB;1;{text}\n")
        assert isinstance(row, RegisterRow) and row.birth_date == date(1980, 12, 31)


def test_house_letter_and_addition_become_one_comparable_addition() -> None:
    row = only("referentie;postcode;huisnummer;huisletter;toevoeging\nR1;1234AB;12;a;-2 \n")
    assert isinstance(row, RegisterRow) and row.addition == "A2"


def test_skip_resumes_after_the_lines_already_processed() -> None:
    register_file = RegisterFile("referentie;postcode;huisnummer\nR1;1234AB;1\n\nR2;1234AB;2\nR3;1234AB;3\n")
    assert register_file.count_lines() == 3
    assert [line for line, _ in register_file.lines(skip=2)] == [5]


def test_age_on() -> None:
    assert age_on(date(2000, 2, 29), date(2012, 2, 28)) == 11
    assert age_on(date(2000, 2, 29), date(2012, 2, 29)) == 12
    assert age_on(date(2000, 2, 29), date(2013, 3, 1)) == 13


def test_the_reader_imports_no_framework() -> None:
    """The reader and the concept modules it shares (ages, postcodes) are plain Python."""
    app_dir = Path(__file__).resolve().parent.parent / "app"
    imported: set[str] = set()
    for name in ("register_csv.py", "ages.py", "postcodes.py"):
        for node in ast.walk(ast.parse((app_dir / name).read_text())):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module if node.module.startswith("app.") else node.module.split(".")[0])
    plain = {"__future__", "csv", "re", "collections", "dataclasses", "datetime", "app.ages", "app.postcodes"}
    assert imported <= plain
