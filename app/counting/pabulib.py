"""Reader and writer for pabulib ``.pb`` files.

A ``.pb`` file has three sections, each a title line (``META``, ``PROJECTS``, ``VOTES``) followed by a header
line and ``;``-separated rows, quoted like CSV.  The reader copes with a UTF-8 byte-order mark, CRLF line ends,
quoted fields containing semicolons, optional columns in any order, decimal commas in single numbers (costs,
budget), blank lines, trailing separators and commas, ``None`` for a missing value, and empty ballots.
Anything it cannot make sense of raises :class:`PabulibError`, whose message names the line and the problem.
It never guesses silently: harmless oddities (a META count that disagrees with the file, a vote naming a
project twice, caps that cannot be paired with categories) are read in a documented way and reported in
``Election.notes``.

The writer produces files that pabutools' ``parse_pabulib`` reads back to the same instance and profile.
"""

from __future__ import annotations

import csv
import io
import os
from fractions import Fraction
from typing import Final

from .model import (
    POINT_VOTE_TYPES,
    VOTE_TYPES,
    Ballot,
    Election,
    ElectionError,
    Money,
    Points,
    Project,
    VoteType,
)

SECTIONS: Final[frozenset[str]] = frozenset({"meta", "projects", "votes"})
_MISSING: Final[frozenset[str]] = frozenset({"", "none"})

# META keys the reader turns into Election fields; the writer regenerates them from those fields.
_DERIVED_META: Final[tuple[str, ...]] = (
    "num_projects",
    "num_votes",
    "budget",
    "vote_type",
    "min_project_score_threshold",
    "categories",
    "budget_per_category",
    "neighborhoods",
    "budget_per_neighborhood",
)


class PabulibError(ValueError):
    """A ``.pb`` file cannot be read.  ``line`` is the 1-based line number (``None`` if not tied to a line)."""

    def __init__(self, problem: str, line: int | None = None, source: str = "<pabulib>") -> None:
        self.problem = problem
        self.line = line
        self.source = source
        where = f"{source}, line {line}" if line is not None else source
        super().__init__(f"{where}: {problem}")


def parse_number(text: str) -> int | Fraction:
    """Parse an exact number: ``12``, ``12.5``, ``12,5`` (decimal comma), ``-3``, ``1/3``, ``1e3``.

    Spaces (also non-breaking) inside are ignored as thousands separators.  A comma counts as the decimal
    mark only when it is the only separator (``1,234,5`` and ``1.234,5`` are refused as ambiguous).  Returns an
    ``int`` for whole numbers.  Raises ``ValueError`` for anything else, including ``nan`` and ``inf``.
    """
    t = text.strip()
    if t.isascii() and t.isdigit():
        return int(t)
    t = t.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in t:
        if "." in t or t.count(",") > 1:
            raise ValueError(f"ambiguous number {text!r}")
        t = t.replace(",", ".")
    if not t or "_" in t:
        raise ValueError(f"not a number: {text!r}")
    try:
        value = Fraction(t)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"not a number: {text!r}") from None
    return value.numerator if value.denominator == 1 else value


def read_pabulib(path: str | os.PathLike[str], *, keep_voters: bool = False) -> Election:
    """Read a ``.pb`` file into an :class:`~app.counting.model.Election`.

    With ``keep_voters=False`` (the default, and the fast path) identical ballots are grouped into one
    :class:`~app.counting.model.Ballot` with a weight, and voter columns (id, age, ...) are dropped.  With
    ``keep_voters=True`` every row becomes its own ballot carrying ``voter_id`` and the other voter columns.
    Raises :class:`PabulibError` (with the line number) for a broken file, ``OSError`` if it cannot be read.
    """
    source = os.fspath(path)
    with open(source, "rb") as handle:
        data = handle.read()
    return parse_pabulib(data, keep_voters=keep_voters, source=os.path.basename(source))


def parse_pabulib(data: str | bytes, *, keep_voters: bool = False, source: str = "<pabulib>") -> Election:
    """Parse the text (or UTF-8 bytes) of a ``.pb`` file.  See :func:`read_pabulib`."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise PabulibError(f"not UTF-8 text ({error.reason})", line, source) from None
    else:
        text = data[1:] if data.startswith("\ufeff") else data
    return _Parser(text, keep_voters, source).parse()


class _Parser:
    """One pass over the rows of a ``.pb`` text, dispatching on the current section.

    The VOTES rows (tens of thousands) are handled inline in :meth:`parse` with local variables only; META
    and PROJECTS rows (a few hundred at most) go through small methods.
    """

    def __init__(self, text: str, keep_voters: bool, source: str) -> None:
        self.text = text
        self.keep_voters = keep_voters
        self.source = source
        self.meta: dict[str, str] = {}
        self.meta_lines: dict[str, int] = {}
        self.meta_title_line = 1
        self.projects: dict[str, Project] = {}
        self.project_columns: tuple[list[str], list[str]] = ([], [])
        self.notes: list[str] = []
        self.vote_type: VoteType | None = None
        self.ballots: list[Ballot] = []
        self.num_vote_rows = 0
        self.seen: set[str] = set()
        self.start = 1
        # Votes that name a project more than once: how they were read -> (first line, distinct votes).
        self.repeats: dict[str, tuple[int, int]] = {}

    def error(self, problem: str, line: int | None) -> PabulibError:
        return PabulibError(problem, line, self.source)

    def parse(self) -> Election:
        # Not strict, like pabutools' reader: a field such as `"Odkupmy" i my` (a quoted word opening an
        # unquoted name) is read as text instead of refused.  Truly broken quoting (an unclosed quote running
        # to the end of the file) still raises csv.Error, reported below with the line.
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=";")
        self.reader = reader
        section = ""
        header: list[str] | None = None
        line = 1
        pending: tuple[int, list[str]] | None = None
        try:
            while True:
                if pending is not None:
                    line, row = pending
                    pending = None
                else:
                    next_row = next(reader, None)
                    if next_row is None:
                        break
                    row = next_row
                    # reader.line_num is the physical line the row ended on; a quoted field may span lines.
                    line = self.start
                    self.start = reader.line_num + 1
                    if reader.line_num != line:
                        raise self._runaway_quote(line, reader.line_num)
                kind = _row_kind(row)
                if kind == "blank":
                    continue
                if kind in SECTIONS:
                    if kind in self.seen:
                        raise self.error(f"second {kind.upper()} section", line)
                    self.seen.add(kind)
                    section = kind
                    header = None
                    if kind == "meta":
                        self.meta_title_line = line
                    continue
                if not section:
                    raise self.error(
                        f"expected a section title (META, PROJECTS or VOTES), found {';'.join(row)!r}", line
                    )
                if header is None:
                    header = self._header(section, line, row)
                    if section == "votes":
                        pending = self._vote_rows(header, line)
                        section = ""  # whatever follows VOTES must be a new section title
                        header = []
                    continue
                if section == "meta":
                    self._meta_row(line, row)
                else:
                    self._project_row(line, row)
        except csv.Error as error:
            raise self.error(f"malformed quoting: {error}", self.start) from None
        if section and header is None:
            raise self.error(f"{section.upper()} section has no header line", line)
        return self._finish()

    def _vote_rows(self, header: list[str], header_line: int) -> tuple[int, list[str]] | None:
        """Read VOTES rows up to the next section title (returned, with its line) or the end (``None``).

        This is the hot loop of the reader: everything it touches is a local variable, each distinct
        (vote, points) pair is parsed once, and a row only gets the full blank/title test when its vote cell
        is empty or it ends in an empty cell.
        """
        reader = self.reader
        vote_type = self._require_vote_type(header_line)
        lowered = [c.lower() for c in header]
        i_vote = lowered.index("vote")
        i_points = lowered.index("points") if vote_type in POINT_VOTE_TYPES else i_vote
        i_voter = lowered.index("voter_id") if "voter_id" in lowered else -1
        need = max(i_vote, i_points) + 1
        width = len(header)
        keep = self.keep_voters
        # Parsed (vote, points) cells: real files repeat the same ballot thousands of times, and a dict hit
        # is far cheaper than splitting and checking the ids again.
        parsed: dict[str, tuple[tuple[str, ...], tuple[Points, ...] | None]] = {}
        weights: dict[str, int] = {}
        single = vote_type not in POINT_VOTE_TYPES
        voter_ids: set[str] = set()
        ballots = self.ballots
        start = self.start
        rows = 0
        pending: tuple[int, list[str]] | None = None
        for row in reader:
            line = start
            start = reader.line_num + 1
            if start - line != 1:
                raise self._runaway_quote(line, start - 1)
            n = len(row)
            if n == 1 or n < need or not row[i_vote] or not row[-1]:
                kind = _row_kind(row)
                if kind == "blank":
                    continue
                if kind in SECTIONS:
                    pending = (line, row)
                    break
            if n > width:
                raise self.error(
                    f"{n} fields but the VOTES header has {width} (is a ';' inside a value not quoted?)", line
                )
            rows += 1
            vote = row[i_vote] if i_vote < n else ""
            # The key is the raw cell text (plus the points cell for point ballots, after a separator that
            # cannot occur in either): identical rows hit the same entry without any parsing.
            key = vote if single else f"{vote}\x1f{row[i_points] if i_points < n else ''}"
            weight = weights.get(key)
            if weight is None:
                parsed[key] = self._parse_vote(vote, row[i_points] if i_points < n else "", vote_type, line)
                weights[key] = 1
            else:
                weights[key] = weight + 1
            if not keep:
                continue
            voter_id = row[i_voter].strip() if 0 <= i_voter < n else ""
            if voter_id.lower() in _MISSING:
                voter_id = f"line-{line}"
            if voter_id in voter_ids:
                raise self.error(f"voter_id {voter_id!r} appears twice", line)
            voter_ids.add(voter_id)
            extra = {
                header[i]: row[i].strip()
                for i in range(n)
                if i not in (i_vote, i_points, i_voter) and row[i].strip().lower() not in _MISSING
            }
            choices, pts = parsed[key]
            ballots.append(Ballot(choices, pts, 1, voter_id, extra))
        self.start = start
        if not keep:
            ballots.extend(Ballot(*parsed[key], weight) for key, weight in weights.items())
        self.num_vote_rows += rows
        return pending

    def _runaway_quote(self, first: int, last: int) -> PabulibError:
        # pabulib is one record per line (pabutools splits the text into lines before parsing), so a record
        # over several lines always means a quote that was opened and never closed.
        return self.error(
            f"a quoted value runs from line {first} to line {last}: closing quote missing?", first
        )

    def _header(self, section: str, line: int, row: list[str]) -> list[str]:
        header = [cell.strip() for cell in row]
        lowered = [cell.lower() for cell in header]
        duplicate = {c for c in lowered if lowered.count(c) > 1}
        if duplicate:
            raise self.error(f"duplicate column(s) {', '.join(sorted(duplicate))} in the header", line)
        if section == "meta":
            if lowered[:2] != ["key", "value"]:
                raise self.error(f"META header must be 'key;value', found {';'.join(header)!r}", line)
        elif section == "projects":
            for needed in ("project_id", "cost"):
                if needed not in lowered:
                    raise self.error(f"PROJECTS header has no {needed!r} column", line)
            self.project_columns = (header, lowered)
        else:
            if "meta" not in self.seen:
                raise self.error("META section must come before the VOTES section", line)
            if "projects" not in self.seen:
                raise self.error("PROJECTS section must come before the VOTES section", line)
            if "vote" not in lowered:
                raise self.error("VOTES header has no 'vote' column", line)
            vote_type = self._require_vote_type(line)
            if vote_type in POINT_VOTE_TYPES and "points" not in lowered:
                raise self.error(f"VOTES header has no 'points' column, needed for {vote_type} votes", line)
        return header

    def _meta_row(self, line: int, row: list[str]) -> None:
        if len(row) < 2:
            raise self.error(f"META line needs 'key;value', found {';'.join(row)!r}", line)
        key = row[0].strip()
        cells = row[1:]
        while len(cells) > 1 and not cells[-1].strip():
            cells.pop()  # trailing separators ("budget;100;")
        # An unquoted ';' inside a value splits it; in a two-column table the rest can only be the value.
        value = ";".join(cells).strip()
        if not key:
            raise self.error("META line has an empty key", line)
        if key in self.meta:
            self.notes.append(f"META key {key!r} given twice (line {line}); the last value is used")
        self.meta[key] = value
        self.meta_lines[key] = line

    def _project_row(self, line: int, row: list[str]) -> None:
        header, lowered = self.project_columns
        width = len(header)
        if len(row) > width:
            raise self.error(
                f"{len(row)} fields but the PROJECTS header has {width} (is a ';' inside a value not quoted?)",
                line,
            )
        cells = [cell.strip() for cell in row] + [""] * (width - len(row))
        pid = cells[lowered.index("project_id")]
        raw_cost = cells[lowered.index("cost")]
        if pid.lower() in _MISSING:
            raise self.error("project without a project_id", line)
        if pid in self.projects:
            raise self.error(f"project {pid!r} appears twice", line)
        if "," in pid:
            raise self.error(f"project id {pid!r} contains a comma, which separates ids in votes", line)
        if raw_cost.lower() in _MISSING:
            raise self.error(f"project {pid!r} has no cost", line)
        try:
            cost = parse_number(raw_cost)
        except ValueError:
            raise self.error(f"cost of project {pid!r} is not a number: {raw_cost!r}", line) from None
        if cost < 0:
            raise self.error(f"cost of project {pid!r} is negative: {raw_cost}", line)
        fields: dict[str, str] = {}
        extra: dict[str, str] = {}
        for column, lower, value in zip(header, lowered, cells, strict=True):
            if value.lower() in _MISSING:
                continue
            if lower in _PROJECT_FIELDS:
                fields[_PROJECT_FIELDS[lower]] = value
            else:
                extra[column] = value
        self.projects[pid] = Project(
            pid,
            cost,
            name=fields.get("name", ""),
            categories=_split_list(fields.get("category", "")),
            targets=_split_list(fields.get("target", "")),
            neighborhood=fields.get("neighborhood", ""),
            extra=extra,
        )

    def _meta_number(self, key: str) -> int | Fraction | None:
        if key not in self.meta or self.meta[key].strip().lower() in _MISSING:
            return None
        try:
            return parse_number(self.meta[key])
        except ValueError:
            raise self.error(
                f"META {key!r} is not a number: {self.meta[key]!r}", self.meta_lines[key]
            ) from None

    def _require_vote_type(self, line: int) -> VoteType:
        if self.vote_type is not None:
            return self.vote_type
        raw = self.meta.get("vote_type", "").strip().lower()
        if not raw:
            raise self.error("META has no 'vote_type'", line)
        for known in VOTE_TYPES:
            if raw == known:
                self.vote_type = known
                return known
        raise self.error(
            f"vote_type {raw!r} is not supported (known: {', '.join(VOTE_TYPES)})",
            self.meta_lines.get("vote_type", line),
        )

    def _parse_vote(
        self, vote: str, points: str, vote_type: VoteType, line: int
    ) -> tuple[tuple[str, ...], tuple[Points, ...] | None]:
        projects = self.projects
        choices = vote.split(",")
        distinct = set(choices)
        clean = len(distinct) == len(choices) and distinct <= projects.keys()
        if not clean:
            stripped = vote.strip()
            raw = [] if stripped.lower() in _MISSING else [p.strip() for p in stripped.split(",")]
            # A trailing comma ("12,13,") leaves an empty item: harmless, dropped.
            choices = [p for p in raw if p]
            for pid in choices:
                if pid not in projects:
                    raise self.error(f"vote names unknown project {pid!r}", line)
        values: list[Points] | None = None
        if vote_type in POINT_VOTE_TYPES:
            raw_points = [] if points.strip().lower() in _MISSING else points.split(",")
            if len(raw_points) != len(choices):
                raise self.error(
                    f"vote names {len(choices)} projects but gives {len(raw_points)} points", line
                )
            values = []
            for text in raw_points:
                try:
                    # Points are a comma-separated list, so a decimal comma cannot occur here.
                    values.append(parse_number(text))
                except ValueError:
                    raise self.error(f"points {text.strip()!r} is not a number", line) from None
                if vote_type == "cumulative" and values[-1] < 0:
                    raise self.error(f"negative points {text.strip()!r} on a cumulative ballot", line)
        if not clean and len(set(choices)) != len(choices):
            choices, values = self._merge_repeats(choices, values, vote_type, vote, line)
        return tuple(choices), (tuple(values) if values is not None else None)

    def _merge_repeats(
        self, choices: list[str], values: list[Points] | None, vote_type: VoteType, vote: str, line: int
    ) -> tuple[list[str], list[Points] | None]:
        """A vote that names a project more than once.

        Approval and choose-1: the project counts once.  Cumulative: each mention is points given to it, so
        the points are added up (``5,5`` with ``1,1`` is two points for 5).  Ordinal: the first (highest)
        position counts.  Scoring: refused, since two different scores for one project cannot both hold.
        Each case is summed up in one note per kind, with the first line where it happened.
        """
        if vote_type == "scoring":
            raise self.error(f"scoring vote names a project twice: {vote!r}", line)
        if vote_type == "cumulative":
            assert values is not None
            total: dict[str, Points] = {}
            for pid, pts in zip(choices, values, strict=True):
                total[pid] = total.get(pid, 0) + pts
            merged: tuple[list[str], list[Points] | None] = (list(total), list(total.values()))
            how = "its points were added up"
        else:
            merged = (list(dict.fromkeys(choices)), None)
            how = "counted once" if vote_type != "ordinal" else "its highest position counts"
        first_line, times = self.repeats.get(how, (line, 0))
        self.repeats[how] = (first_line, times + 1)
        return merged

    def _finish(self) -> Election:
        if "meta" not in self.seen:
            raise self.error("no META section", 1)
        if "projects" not in self.seen:
            raise self.error("no PROJECTS section", None)
        vote_type = self._require_vote_type(self.meta_title_line)
        for how, (first_line, times) in self.repeats.items():
            self.notes.append(
                f"{times} distinct vote(s) name a project more than once (first on line {first_line}); {how}"
            )
        if "votes" not in self.seen:
            self.notes.append("the file has no VOTES section: nobody voted")
        budget = self._meta_number("budget")
        if budget is None:
            raise self.error("META has no 'budget'", self.meta_title_line)
        if budget < 0:
            raise self.error(f"budget is negative: {budget}", self.meta_lines["budget"])
        threshold = self._meta_number("min_project_score_threshold")
        self._check_count("num_projects", len(self.projects))
        self._check_count("num_votes", self.num_vote_rows)
        category_caps = self._caps("categories", "budget_per_category")
        neighborhood_caps = self._caps("neighborhoods", "budget_per_neighborhood")
        derived = set(_DERIVED_META)
        # A categories list without usable caps is plain information: keep it (and the unusable caps text).
        if not category_caps:
            derived -= {"categories", "budget_per_category"}
        if not neighborhood_caps:
            derived -= {"neighborhoods", "budget_per_neighborhood"}
        meta = {k: v for k, v in self.meta.items() if k not in derived}
        try:
            return Election(
                budget,
                self.projects,
                self.ballots,
                vote_type,
                meta=meta,
                min_project_score=threshold,
                category_caps=category_caps,
                neighborhood_caps=neighborhood_caps,
                notes=tuple(self.notes),
            )
        except ElectionError as error:  # pragma: no cover - the checks above catch these with a line number
            raise self.error(str(error), None) from None

    def _check_count(self, key: str, actual: int) -> None:
        declared = self.meta.get(key, "").strip()
        if declared and declared != str(actual):
            self.notes.append(f"META {key} says {declared} but the file has {actual}")

    def _caps(self, names_key: str, caps_key: str) -> dict[str, Money]:
        if caps_key not in self.meta:
            return {}
        line = self.meta_lines[caps_key]
        names = _split_list(self.meta.get(names_key, ""))
        raw = [p.strip() for p in self.meta[caps_key].split(",")]
        if not names:
            self.notes.append(f"META {caps_key} ignored: there is no META {names_key} list to pair it with")
            return {}
        if len(names) != len(raw):
            self.notes.append(
                f"META {caps_key} ignored: {len(raw)} amounts for {len(names)} {names_key} (line {line})"
            )
            return {}
        caps: dict[str, Money] = {}
        for name, amount in zip(names, raw, strict=True):
            try:
                value = parse_number(amount)
            except ValueError:
                raise self.error(f"META {caps_key}: {amount!r} is not a number", line) from None
            if value < 0:
                raise self.error(f"META {caps_key}: negative cap {amount!r}", line)
            caps[name] = value
        return caps


_PROJECT_FIELDS: Final[dict[str, str]] = {
    "project_id": "project_id",
    "cost": "cost",
    "name": "name",
    "category": "category",
    "categories": "category",
    "target": "target",
    "targets": "target",
    "neighborhood": "neighborhood",
}


def _row_kind(row: list[str]) -> str:
    """``"blank"`` for an empty row, the section name for a section title, ``""`` for a data row."""
    if not "".join(row).strip():
        return "blank"
    name = row[0].strip().lower()
    if name in SECTIONS and not "".join(row[1:]).strip():
        return name
    return ""


def _split_list(value: str) -> tuple[str, ...]:
    if value.strip().lower() in _MISSING:
        return ()
    return tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))


# --- writer ----------------------------------------------------------------------------------------------


def format_number(value: Money) -> str:
    """Write an exact number the way pabulib and pabutools read it back exactly.

    Integers as digits; fractions whose denominator has only the prime factors 2 and 5 as finite decimals
    (``12.5``); any other fraction as ``p/q`` (which both readers accept).
    """
    if isinstance(value, int):
        return str(value)
    if value.denominator == 1:
        return str(value.numerator)
    denominator = value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        return f"{value.numerator}/{value.denominator}"
    digits = max(twos, fives)
    scaled = abs(value.numerator) * (10**digits) // value.denominator
    sign = "-" if value < 0 else ""
    whole, frac = divmod(scaled, 10**digits)
    return f"{sign}{whole}.{frac:0{digits}d}"


def dumps_pabulib(election: Election, *, rule: str | None = None) -> str:
    """Serialise an election as the text of a ``.pb`` file.

    META gets the election's meta entries plus the regenerated ``num_projects``, ``num_votes`` (voters,
    weights expanded), ``budget``, ``vote_type``, ``rule`` (``rule`` argument, else the meta's, else
    ``unknown``), the threshold and the caps.  A ballot of weight ``w`` becomes ``w`` rows; voters without an
    id get numbered ids that do not clash with the given ones.  Missing optional values are written ``None``
    (pabulib's convention, which pabutools skips).  Raises ``ValueError`` when an id or a category contains a
    comma (pabulib lists are comma-separated, so it could not be read back).
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    meta: dict[str, str] = {}
    for key in ("description", "country", "unit", "subunit", "instance"):
        if key in election.meta:
            meta[key] = election.meta[key]
    meta["num_projects"] = str(len(election.projects))
    meta["num_votes"] = str(election.num_voters)
    meta["budget"] = format_number(election.budget)
    meta["vote_type"] = election.vote_type
    meta["rule"] = rule or election.meta.get("rule") or "unknown"
    for key, value in election.meta.items():
        if key not in meta and key not in _DERIVED_META:
            meta[key] = value
    if election.min_project_score is not None:
        meta["min_project_score_threshold"] = format_number(election.min_project_score)
    for names_key, caps_key, caps in (
        ("categories", "budget_per_category", election.category_caps),
        ("neighborhoods", "budget_per_neighborhood", election.neighborhood_caps),
    ):
        if caps:
            for name in caps:
                _check_list_item(name, names_key)
            meta[names_key] = ",".join(caps)
            meta[caps_key] = ",".join(format_number(v) for v in caps.values())
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows(meta.items())

    columns = ["project_id", "cost"]
    projects = list(election.projects.values())
    if any(p.name for p in projects):
        columns.append("name")
    if any(p.categories for p in projects):
        columns.append("category")
    if any(p.targets for p in projects):
        columns.append("target")
    if any(p.neighborhood for p in projects):
        columns.append("neighborhood")
    extra_columns = list(dict.fromkeys(k for p in projects for k in p.extra if k.lower() not in columns))
    writer.writerow(["PROJECTS"])
    writer.writerow(columns + extra_columns)
    for project in projects:
        _check_list_item(project.id, "project ids")
        for item in project.categories + project.targets:
            _check_list_item(item, "categories and targets")
        row = [project.id, format_number(project.cost)]
        if "name" in columns:
            row.append(project.name or "None")
        if "category" in columns:
            row.append(",".join(project.categories) or "None")
        if "target" in columns:
            row.append(",".join(project.targets) or "None")
        if "neighborhood" in columns:
            row.append(project.neighborhood or "None")
        row.extend(project.extra.get(k, "None") for k in extra_columns)
        writer.writerow(row)

    point_based = election.vote_type in POINT_VOTE_TYPES
    vote_columns = ["voter_id", "vote"] + (["points"] if point_based else [])
    voter_extra = list(
        dict.fromkeys(k for b in election.ballots for k in b.extra if k.lower() not in vote_columns)
    )
    writer.writerow(["VOTES"])
    writer.writerow(vote_columns + voter_extra)
    taken = {b.voter_id for b in election.ballots if b.voter_id and b.weight == 1}
    next_id = 0
    for ballot in election.ballots:
        vote = ",".join(ballot.choices)
        row = ["", vote]
        if point_based:
            assert ballot.points is not None
            # An empty point ballot is written with points "None", which pabutools reads as an empty ballot.
            row.append(",".join(format_number(p) for p in ballot.points) or "None")
        row.extend(ballot.extra.get(k, "None") for k in voter_extra)
        for _ in range(ballot.weight):
            if ballot.voter_id and ballot.weight == 1:
                row[0] = ballot.voter_id
            else:
                next_id += 1
                while str(next_id) in taken:
                    next_id += 1
                row[0] = str(next_id)
            writer.writerow(row)
    return out.getvalue()


def write_pabulib(election: Election, path: str | os.PathLike[str], *, rule: str | None = None) -> None:
    """Write an election to a ``.pb`` file (UTF-8, LF line ends).  See :func:`dumps_pabulib`."""
    text = dumps_pabulib(election, rule=rule)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def _check_list_item(item: str, what: str) -> None:
    if "," in item:
        raise ValueError(f"cannot write {item!r}: pabulib {what} are comma-separated lists")
