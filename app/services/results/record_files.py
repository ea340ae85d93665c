"""The files of an election record: the ballots as pabulib `.pb`, the result as CSV, and the JSON record.

Everything here is a pure function of what the database holds about a counted round, so building the files
twice gives the same bytes:

- Ballots are written in a canonical order: sorted by their content (the tuple of chosen project ids, each
  ballot's ids in ascending order), and only then numbered 1, 2, 3, ... as voter ids. Sorting by content
  shows nothing the ballots themselves do not show: two ballots with the same choices are interchangeable,
  and the order says nothing about who voted when. Ordering by ballot id or time would leak the order in
  which people voted (and with a receipt, whose ballot is whose); receipt codes are never read here.
- No ballot line carries a timestamp, a receipt code or a voter key.
- JSON is written with sorted keys, two-space indentation, fixed separators and a final newline; nested
  values from the stored result are normalised through JSON first, so a value built in this transaction
  serialises exactly like the same value read back from the database later.
- The only times are the round's own stored times; there is no "generated at" clock.

What the SHA-256 covers: the record hash is SHA-256 over the bytes of the JSON record (UTF-8). The JSON
embeds the SHA-256 of the `.pb` file and of the CSV file, so one hash pins all three files:
`sha256sum round-12.json` must print the published hash, and `sha256sum round-12.pb round-12.csv` the two
hashes inside the JSON.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from app.counting import Election, dumps_pabulib
from app.counting import Project as CountedProject
from app.extensions import db
from app.local_time import local_date
from app.models import BallotType, Eligibility, RegisterEntry, Result, Round, TieBreak
from app.services.results.election import LoadedElection, counting_id

RECORD_FORMAT = "wijkbudget-election-record/1"
CSV_COLUMNS = (
    "pb_project_id",
    "project_id",
    "title",
    "category",
    "buurt",
    "cost_cents",
    "votes",
    "selected",
    "reason_code",
    "reason_details",
)


@dataclass(frozen=True)
class RecordFiles:
    """The three files of a round's record, as text, and the SHA-256 of the JSON record."""

    round_id: int
    pb: str
    csv: str
    json: str

    @property
    def sha256(self) -> str:
        return sha256_text(self.json)


def file_names(round_id: int) -> dict[str, str]:
    """Download names of a round's files, also used inside the JSON record and by `wijkbudget record`."""
    stem = f"round-{round_id}"
    return {"pb": f"{stem}.pb", "csv": f"{stem}.csv", "json": f"{stem}.json"}


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_record_files(rnd: Round, result: Result, loaded: LoadedElection) -> RecordFiles:
    """The record of a counted round: `.pb` (canonical ballot order), CSV and canonical JSON.

    Deterministic: the same round, ballots and result give byte-identical files, whatever order the ballots
    were cast in. Reads nothing but its arguments (no clock, no receipts).
    """
    pb = dumps_pabulib(_canonical_election(rnd, loaded), rule=result.rule)
    rows = _normalised(result.project_results)
    csv_text = _result_csv(rows, loaded)
    names = file_names(rnd.id)
    record = {
        "format": RECORD_FORMAT,
        "manifest": _manifest(rnd, result, loaded),
        "result": _result_section(rnd, result, rows),
        "files": {
            "pb": {"name": names["pb"], "sha256": sha256_text(pb)},
            "csv": {"name": names["csv"], "sha256": sha256_text(csv_text)},
        },
        "recount": _recount_section(result, names["pb"]),
    }
    return RecordFiles(round_id=rnd.id, pb=pb, csv=csv_text, json=canonical_json(record))


def canonical_json(value: Any) -> str:
    """The one way a record is written as JSON (see the module docstring); an auditor can re-create it with
    `json.dumps(json.load(f), sort_keys=True, indent=2, separators=(",", ": "), ensure_ascii=False) + "\\n"`."""
    return json.dumps(value, sort_keys=True, indent=2, separators=(",", ": "), ensure_ascii=False) + "\n"


def _normalised(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _canonical_election(rnd: Round, loaded: LoadedElection) -> Election:
    election = loaded.election
    # Sorted by content only (see the module docstring); the writer then numbers the voters 1..n.
    ballots = sorted(election.ballots, key=lambda ballot: ballot.choices)
    projects = [_pb_safe_project(project) for project in election.projects.values()]
    return Election.build(election.budget, projects, ballots, election.vote_type, meta=_pb_meta(rnd, loaded))


def _pb_safe_project(project: CountedProject) -> CountedProject:
    """pabulib is one record per line and lists categories with commas: names lose line breaks and a
    category's commas become semicolons (quoted by the writer). Labels only; the count never reads them."""
    return replace(
        project,
        name=_one_line(project.name),
        categories=tuple(_one_line(c).replace(",", ";") for c in project.categories),
        neighborhood=_one_line(project.neighborhood),
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _pb_meta(rnd: Round, loaded: LoadedElection) -> dict[str, str]:
    """META beyond what the writer derives (budget, vote type, counts, rule): where, when, ballot limits,
    and the tie-break with its drawn lot, so `wijkbudget tally FILE.pb` recounts exactly as the round did."""
    meta = {
        "description": _one_line(rnd.title),
        "country": "Netherlands",
        "unit": _one_line(rnd.wijk.municipality or rnd.wijk.name),
        "subunit": _one_line(rnd.wijk.name),
        "round_id": str(rnd.id),
        "currency": "euro cents",
        "date_begin": _local_date(rnd.voting_opened_at or rnd.voting_open_at),
        "date_end": _local_date(rnd.voting_closed_at or rnd.voting_close_at),
        "ballot_type": rnd.ballot_type,
    }
    if rnd.ballot_type == BallotType.KNAPSACK.value:
        meta["max_sum_cost"] = str(rnd.budget_cents)
    else:
        meta["min_length"] = str(rnd.min_choices)
        meta["max_length"] = str(rnd.max_choices)
    meta["tie_break"] = rnd.tie_break
    lot = pb_lot(rnd, loaded)
    if lot is not None:
        meta["tie_break_lot"] = ",".join(lot)
    return meta


def pb_lot(rnd: Round, loaded: LoadedElection) -> list[str] | None:
    """The drawn lot as `.pb` project ids, limited to the projects on the ballot (the counting ignores the
    others anyway), or None when the round does not use a lot."""
    if rnd.tie_break != TieBreak.DEFAULT.value or rnd.tie_break_lot is None:
        return None
    on_ballot = loaded.election.projects
    return [pid for pid in (counting_id(project_id) for project_id in rnd.tie_break_lot) if pid in on_ballot]


def _local_date(moment: datetime) -> str:
    return local_date(moment).strftime("%d.%m.%Y")


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def _manifest(rnd: Round, result: Result, loaded: LoadedElection) -> dict[str, Any]:
    return {
        "wijk": {"name": rnd.wijk.name, "municipality": rnd.wijk.municipality},
        "round": {"id": rnd.id, "title": rnd.title},
        "kaders": {
            "budget_cents": rnd.budget_cents,
            "min_project_cost_cents": rnd.min_project_cost_cents,
            "max_project_cost_cents": rnd.max_project_cost_cents,
            "categories": list(rnd.categories or []),
            "ballot_type": rnd.ballot_type,
            "min_choices": rnd.min_choices,
            "max_choices": rnd.max_choices,
            "knapsack_min_spend_pct": rnd.knapsack_min_spend_pct,
            "leftover_policy": rnd.leftover_policy,
            "out_of_scope": rnd.out_of_scope,
        },
        "projects": [
            {
                "pb_id": pid,
                "project_id": project.id,
                "title": project.title,
                "cost_cents": project.cost_cents,
                "category": project.category,
                "buurt": loaded.election.projects[pid].neighborhood or None,
            }
            for pid, project in loaded.projects.items()
        ],
        "counting": {
            "rule": result.rule,
            "tie_break": rnd.tie_break,
            "tie_break_lot": list(rnd.tie_break_lot) if rnd.tie_break_lot is not None else None,
            "tie_break_lot_pb_ids": pb_lot(rnd, loaded),
        },
        "times": {
            "voting_open_at": _iso(rnd.voting_open_at),
            "voting_close_at": _iso(rnd.voting_close_at),
            "voting_opened_at": _iso(rnd.voting_opened_at),
            "voting_closed_at": _iso(rnd.voting_closed_at),
            "results_at": _iso(rnd.results_at),
        },
        "ballots_counted": result.ballots_counted,
        "ballots_rejected_ineligible": result.ballots_rejected,
        # Who could vote: the round's rule, and how many register entries (None for a self-declared round).
        "eligibility": {
            "rule": rnd.eligibility,
            "register_level": rnd.register_level,
            "min_age": rnd.min_age,
        },
        "eligible_voters": eligible_voters(rnd),
    }


def eligible_voters(rnd: Round) -> int | None:
    """The number of entries (persons or households) on the round's voter register when the record is made;
    None for an open round, whose electorate is self-declared and so not known in advance."""
    if rnd.eligibility == Eligibility.OPEN.value:
        return None
    count = db.session.scalar(
        select(func.count()).select_from(RegisterEntry).where(RegisterEntry.round_id == rnd.id)
    )
    return int(count or 0)


def _result_section(rnd: Round, result: Result, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "rule": result.rule,
        "tie_break": result.tie_break,
        "tie_break_detail": _normalised(result.tie_break_detail),
        "ballots_counted": result.ballots_counted,
        "selected_project_ids": list(result.selected_project_ids),
        "selected_pb_ids": [counting_id(pid) for pid in result.selected_project_ids],
        "total_cost_cents": result.total_cost_cents,
        "budget_left_cents": rnd.budget_cents - result.total_cost_cents,
        "projects": [{**row, "pb_id": counting_id(int(row["project_id"]))} for row in rows],
    }


def _recount_section(result: Result, pb_name: str) -> dict[str, Any]:
    order = (result.tie_break_detail or {}).get("order") or []
    return {
        "tally_command": f"wijkbudget tally {pb_name}",
        "rule": result.rule,
        # The complete tie-break priority order the count used (earlier wins a tie), as .pb ids: what a
        # pabutools recount needs to break ties exactly as the round did.
        "tie_break_priority_pb_ids": [counting_id(int(pid)) for pid in order],
    }


def _result_csv(rows: list[dict[str, Any]], loaded: LoadedElection) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        pid = counting_id(int(row["project_id"]))
        project = loaded.projects.get(pid)
        explanation = row.get("explanation") or {}
        writer.writerow(
            [
                pid,
                row["project_id"],
                row["title"],
                project.category if project is not None else "",
                loaded.election.projects[pid].neighborhood if pid in loaded.election.projects else "",
                row["cost_cents"],
                row["votes"],
                "yes" if row["selected"] else "no",
                explanation.get("code", ""),
                json.dumps(explanation.get("details") or {}, sort_keys=True, separators=(",", ":")),
            ]
        )
    return out.getvalue()
