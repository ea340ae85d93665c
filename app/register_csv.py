"""Read a municipality's voter register CSV: pure Python, no Flask, database or Celery.

The file has a header row naming its columns (Dutch or English), is separated by ``;`` or ``,`` and is UTF-8
with or without a byte order mark. Every data line becomes either a `RegisterRow` or a `LineError` carrying
a reason code (translated by the caller, so this module needs no Babel) and its physical line number. A file
that cannot be used at all (wrong encoding, no reference/postcode/house number column, a column with names or
BSNs) raises `RegisterFileError`: names are never read, let alone stored.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date

from app.ages import age_on
from app.postcodes import postcode_problem

REFERENCE_MAX = 64  # RegisterEntry.reference is String(64)
ADDITION_MAX = 10  # RegisterEntry.house_number_addition is String(10)
HOUSE_NUMBER_MAX = 99999
OLDEST_AGE = 125  # a birth date further back is a typing error

# Header names, compared after `_header_key` (lower case, without spaces, dots, dashes and underscores).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "reference": (
        "referentie",
        "referentienummer",
        "ref",
        "reference",
        "referencenumber",
        "kenmerk",
        "id",
        "registratienummer",
    ),
    "postcode": ("postcode", "postalcode", "zip", "zipcode", "pc6"),
    "house_number": ("huisnummer", "huisnr", "nr", "housenumber", "number"),
    "addition": ("toevoeging", "huisnummertoevoeging", "toev", "addition", "housenumberaddition", "suffix"),
    "letter": ("huisletter", "houseletter"),
    "birth_date": ("geboortedatum", "gebdatum", "geboren", "birthdate", "dateofbirth", "dob"),
    "buurt": ("buurt", "buurtnaam", "neighbourhood", "neighborhood", "district"),
    "confidential": ("geheim", "geheimhouding", "vertrouwelijk", "afgeschermd", "confidential", "secret"),
}
REQUIRED_COLUMNS = ("reference", "postcode", "house_number")
# Columns that would put names or citizen service numbers in the register: the whole file is refused.
NAME_COLUMNS = frozenset(
    {
        "naam",
        "namen",
        "voornaam",
        "voornamen",
        "roepnaam",
        "achternaam",
        "geslachtsnaam",
        "tussenvoegsel",
        "voorvoegsel",
        "voorletters",
        "aanschrijfnaam",
        "volledigenaam",
        "name",
        "names",
        "firstname",
        "givenname",
        "lastname",
        "surname",
        "familyname",
        "fullname",
        "initials",
    }
)
BSN_COLUMNS = frozenset({"bsn", "burgerservicenummer", "sofinummer", "citizenservicenumber"})

YES = frozenset({"ja", "j", "yes", "y", "1", "true", "waar", "x"})
UNREADABLE = "\x00"  # stands for a line the csv module refused (a file never holds NUL: see RegisterFile)
NO = frozenset({"", "nee", "n", "no", "0", "false", "onwaar"})


class RegisterFileError(Exception):
    """The file cannot be used at all; `code` names the reason, `detail` the column or value involved."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class LineError:
    """A rejected line: its physical line number in the file, a reason code and the value involved."""

    line: int
    code: str
    detail: str = ""


@dataclass(frozen=True)
class RegisterRow:
    line: int
    reference: str
    postcode: str
    house_number: int
    addition: str
    birth_date: date | None
    buurt_id: int | None
    confidential: bool


@dataclass(frozen=True)
class RegisterRules:
    """What the round asks of each line.

    `age_on` is the date voting opens (in Dutch time); persons younger than `min_age` on it are left out.
    `buurten` maps lower-case buurt names of the wijk to their ids.
    """

    person_level: bool = True
    min_age: int = 0
    age_on: date | None = None
    birth_date_required: bool = False
    buurten: Mapping[str, int] = field(default_factory=dict)


def decode_register_file(data: bytes) -> str:
    """The uploaded bytes as text: UTF-8 with or without a byte order mark, else RegisterFileError."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RegisterFileError("not_utf8") from None
    return text


class RegisterFile:
    """A register CSV whose header has been read and checked; iterate its data lines with `lines()`."""

    def __init__(self, text: str) -> None:
        if text.startswith("\ufeff"):
            text = text[1:]
        if "\x00" in text:
            raise RegisterFileError("not_text")
        self.text = text
        first_line = text.split("\n", 1)[0]
        if not first_line.strip():
            raise RegisterFileError("empty")
        self.delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
        header = next(csv.reader([first_line], delimiter=self.delimiter))
        self.columns = _columns(header)
        self.width = len(header)

    def has_column(self, name: str) -> bool:
        return name in self.columns

    def lines(self, skip: int = 0) -> Iterator[tuple[int, list[str]]]:
        """(line number, cells) for every non-blank data line, after skipping the first `skip` of them.

        Each physical line is read on its own: a register has no cell that spans lines, so a stray quote
        spoils only its own line (reported as unreadable), never the rest of the file.
        """
        seen = 0
        for number, raw in enumerate(self.text.split("\n")[1:], start=2):
            if not raw.strip(" \t\r" + self.delimiter):
                continue
            seen += 1
            if seen <= skip:
                continue
            yield number, self._cells(raw.rstrip("\r"))

    def _cells(self, raw: str) -> list[str]:
        if '"' not in raw:
            return raw.split(self.delimiter)  # the usual line: no quoting, no need for the csv module
        try:
            return next(csv.reader([raw], delimiter=self.delimiter, strict=True))
        except csv.Error:
            return [UNREADABLE]

    def count_lines(self) -> int:
        return sum(1 for _ in self.lines())

    def check_line(self, line: int, cells: list[str], rules: RegisterRules) -> RegisterRow | LineError:
        """The line as a row of the register, or the first reason it cannot be one."""
        if cells == [UNREADABLE]:
            return LineError(line, "unreadable")
        if len(cells) > self.width:
            return LineError(line, "too_many_columns", str(len(cells)))
        value = self._reader(cells)
        try:
            reference = _reference(value("reference"))
            postcode = normalise_postcode(value("postcode"))
            house_number = _house_number(value("house_number"))
            addition = _addition(value("letter") + value("addition"))
            birth_date = _birth_date(value("birth_date"), rules) if rules.person_level else None
            buurt_id = _buurt(value("buurt"), rules)
            confidential = _flag(value("confidential"))
        except _Bad as bad:
            return LineError(line, bad.code, bad.detail)
        return RegisterRow(
            line, reference, postcode, house_number, addition, birth_date, buurt_id, confidential
        )

    def _reader(self, cells: list[str]) -> Callable[[str], str]:
        columns, width = self.columns, len(cells)

        def value(name: str) -> str:
            index = columns.get(name)
            return cells[index].strip() if index is not None and index < width else ""

        return value


class _Bad(Exception):
    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        self.detail = detail


def _header_key(name: str) -> str:
    return re.sub(r"[\s._\-]+", "", name.strip().lower())


def _columns(header: list[str]) -> dict[str, int]:
    lookup = {alias: name for name, aliases in COLUMN_ALIASES.items() for alias in aliases}
    columns: dict[str, int] = {}
    for index, raw in enumerate(header):
        key = _header_key(raw)
        if key in NAME_COLUMNS:
            raise RegisterFileError("names", raw.strip())
        if key in BSN_COLUMNS:
            raise RegisterFileError("bsn", raw.strip())
        name = lookup.get(key)
        if name is None:
            continue  # another column (e.g. a street name): never read
        if name in columns:
            raise RegisterFileError("column_twice", raw.strip())
        columns[name] = index
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise RegisterFileError("column_missing", missing[0])
    return columns


def normalise_postcode(text: str) -> str:
    """ "1234ab", "1234 AB" -> "1234AB"; raises with the reason code for anything that is not a Dutch postcode."""
    stored, problem = postcode_problem(text)
    if stored is None:
        raise _Bad(f"postcode_{problem}", text if problem != "missing" else "")
    return stored


def normalise_addition(text: str) -> str:
    """House letter and addition as one comparable text: upper case, letters and digits only ("a-2" -> "A2")."""
    if text.isascii() and text.isalnum():  # the usual case ("", "A", "2"): no separators to drop
        return text.upper()
    return re.sub(r"[^0-9A-Z]", "", text.upper())


def _reference(text: str) -> str:
    if not text:
        raise _Bad("reference_missing")
    if len(text) > REFERENCE_MAX:
        raise _Bad("reference_too_long", str(REFERENCE_MAX))
    return text


def _house_number(text: str) -> int:
    if not text:
        raise _Bad("house_number_missing")
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= HOUSE_NUMBER_MAX:
        raise _Bad("house_number_invalid", text)
    return int(text)


def _addition(text: str) -> str:
    addition = normalise_addition(text)
    if len(addition) > ADDITION_MAX:
        raise _Bad("addition_too_long", text)
    return addition


def _birth_date(text: str, rules: RegisterRules) -> date | None:
    if not text:
        if rules.birth_date_required:
            raise _Bad("birth_date_missing")
        return None
    born = parse_date(text)
    if born is None:
        raise _Bad("birth_date_invalid", text)
    today = rules.age_on or date.today()
    if born > today:
        raise _Bad("birth_date_future", text)
    age = age_on(born, today)
    if age > OLDEST_AGE:
        raise _Bad("birth_date_invalid", text)
    if age < rules.min_age:
        raise _Bad("too_young", str(age))
    return born


ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
DUTCH_DATE = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")
BRP_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")


def parse_date(text: str) -> date | None:
    """YYYY-MM-DD, DD-MM-YYYY or YYYYMMDD (the BRP's own format); None when it is none of these."""
    if match := ISO_DATE.fullmatch(text) or BRP_DATE.fullmatch(text):
        year, month, day = match.groups()
    elif match := DUTCH_DATE.fullmatch(text):
        day, month, year = match.groups()
    else:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _buurt(text: str, rules: RegisterRules) -> int | None:
    if not text:
        return None
    buurt_id = rules.buurten.get(" ".join(text.split()).lower())
    if buurt_id is None:
        raise _Bad("buurt_unknown", text)
    return buurt_id


def _flag(text: str) -> bool:
    key = text.strip().lower()
    if key in YES:
        return True
    if key in NO:
        return False
    raise _Bad("confidential_invalid", text)
