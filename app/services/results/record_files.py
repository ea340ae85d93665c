"""The files of an election record: the ballots as pabulib `.pb`, the result as CSV, and the JSON record.

A round whose ballot has several parts (a buurt with a budget of its own) gets one `.pb` per part, as pabulib
keeps one file per district: `round-12.pb` for the whole wijk's part, `round-12-buurt-5.pb` for buurt 5's.
Each `.pb` carries in its META everything its count used: rule, tie-break and lot, the caps, the minimum score
and the leftover rule (`leftover_budget`, in pabulib's words), so `wijkbudget tally` recounts it exactly.
Points ballots are `cumulative` (with their points) and ranked ballots `ordinal` (favourite first).

Everything here is a pure function of what the database holds about a counted round, so building the files
twice gives the same bytes:

- Ballots are written in a canonical order: sorted by their content (the tuple of chosen project ids, each
  ballot's ids in ascending order, a ranking in its own order; then the points), and only then numbered
  1, 2, 3, ... as voter ids. Sorting by content
  shows nothing the ballots themselves do not show: two ballots with the same choices are interchangeable,
  and the order says nothing about who voted when. Ordering by ballot id or time would leak the order in
  which people voted (and with a receipt, whose ballot is whose); receipt codes are never read here.
- No ballot line carries a timestamp, a receipt code or a voter key.
- JSON is written with sorted keys, two-space indentation, fixed separators and a final newline; nested
  values from the stored result are normalised through JSON first, so a value built in this transaction
  serialises exactly like the same value read back from the database later.
- The only times are the round's own stored times; there is no "generated at" clock.

What the SHA-256 covers: the record hash is SHA-256 over the bytes of the JSON record (UTF-8). The JSON
embeds the SHA-256 of every `.pb` file and of the CSV file, so one hash pins all the files:
`sha256sum round-12.json` must print the published hash, and `sha256sum round-12.pb round-12.csv` the two
hashes inside the JSON.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from app.counting import Election, dumps_pabulib
from app.counting import Project as CountedProject
from app.counting.leftover import check_policy, pabulib_leftover_text
from app.csv_cells import csv_writer
from app.extensions import db
from app.local_time import local_date
from app.models import BallotType, Eligibility, RegisterEntry, Result, Round, TieBreak
from app.services.results.election import LoadedElection, LoadedPart, LoadedRound, counting_id

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
    "part",
    "funded_cents",
)


@dataclass(frozen=True)
class RecordFiles:
    """The files of a round's record, as text, and the SHA-256 of the JSON record. `pb` is the whole wijk's
    part; `part_pbs` holds the `.pb` of each buurt part of the ballot, by file name."""

    round_id: int
    pb: str
    csv: str
    json: str
    part_pbs: dict[str, str] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return sha256_text(self.json)


def file_names(round_id: int) -> dict[str, str]:
    """Download names of a round's files, also used inside the JSON record and by `wijkbudget record`."""
    stem = f"round-{round_id}"
    return {"pb": f"{stem}.pb", "csv": f"{stem}.csv", "json": f"{stem}.json"}


def part_pb_name(round_id: int, part_key: str) -> str:
    """The `.pb` of one part of the ballot: the round's own name for the wijk's part, else with the part."""
    if part_key == "wijk":
        return file_names(round_id)["pb"]
    return f"round-{round_id}-{part_key}.pb"


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_record_files(rnd: Round, result: Result, loaded: LoadedRound) -> RecordFiles:
    """The record of a counted round: a `.pb` per part (canonical ballot order), CSV and canonical JSON.

    Deterministic: the same round, ballots and result give byte-identical files, whatever order the ballots
    were cast in. Reads nothing but its arguments (no clock, no receipts).
    """
    pbs = {
        part_pb_name(rnd.id, part.key): dumps_pabulib(
            _canonical_election(rnd, part, loaded), rule=result.rule
        )
        for part in loaded.parts
    }
    names = file_names(rnd.id)
    rows = _normalised(result.project_results)
    csv_text = _result_csv(rows, loaded)
    summaries = {part["key"]: part for part in _normalised(result.parts or [])}
    record = {
        "format": RECORD_FORMAT,
        "manifest": _manifest(rnd, result, loaded),
        "result": _result_section(rnd, result, rows),
        "parts": [_part_section(rnd, part, summaries.get(part.key, {}), rows, pbs) for part in loaded.parts],
        "files": {
            "pb": {"name": names["pb"], "sha256": sha256_text(pbs[names["pb"]])},
            "csv": {"name": names["csv"], "sha256": sha256_text(csv_text)},
            "part_pbs": [
                {"name": name, "sha256": sha256_text(text)}
                for name, text in pbs.items()
                if name != names["pb"]
            ],
        },
        "recount": _recount_section(rnd, result, loaded, summaries),
    }
    return RecordFiles(
        round_id=rnd.id,
        pb=pbs[names["pb"]],
        csv=csv_text,
        json=canonical_json(record),
        part_pbs={name: text for name, text in pbs.items() if name != names["pb"]},
    )


def canonical_json(value: Any) -> str:
    """The one way a record is written as JSON (see the module docstring); an auditor can re-create it with
    `json.dumps(json.load(f), sort_keys=True, indent=2, separators=(",", ": "), ensure_ascii=False) + "\\n"`."""
    return json.dumps(value, sort_keys=True, indent=2, separators=(",", ": "), ensure_ascii=False) + "\n"


def _normalised(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _canonical_election(rnd: Round, part: LoadedPart, loaded: LoadedRound) -> Election:
    election = part.loaded.election
    # Sorted by content only (see the module docstring); the writer then numbers the voters 1..n.
    ballots = sorted(election.ballots, key=lambda ballot: (ballot.choices, ballot.points or ()))
    projects = [_pb_safe_project(project) for project in election.projects.values()]
    return Election.build(
        election.budget,
        projects,
        ballots,
        election.vote_type,
        meta=_pb_meta(rnd, part, loaded),
        min_project_score=election.min_project_score,
        category_caps={_pb_category(name): cap for name, cap in election.category_caps.items()},
        neighborhood_caps={_one_line(name): cap for name, cap in election.neighborhood_caps.items()},
    )


def _pb_category(name: str) -> str:
    return _one_line(name).replace(",", ";")


def _pb_safe_project(project: CountedProject) -> CountedProject:
    """pabulib is one record per line and lists categories with commas: names lose line breaks and a
    category's commas become semicolons (quoted by the writer). Labels only; the count never reads them."""
    return replace(
        project,
        name=_one_line(project.name),
        categories=tuple(_pb_category(c) for c in project.categories),
        neighborhood=_one_line(project.neighborhood),
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _pb_meta(rnd: Round, part: LoadedPart, loaded: LoadedRound) -> dict[str, str]:
    """META beyond what the writer derives (budget, vote type, counts, rule, threshold, caps): where, when,
    ballot limits, the tie-break with its drawn lot and the leftover rule, so `wijkbudget tally FILE.pb`
    recounts exactly as the round did."""
    title = _one_line(rnd.title) if part.is_wijk else _one_line(f"{rnd.title} - {part.name}")
    meta = {
        "description": title,
        "country": "Netherlands",
        "unit": _one_line(rnd.wijk.municipality or rnd.wijk.name),
        "subunit": _one_line(rnd.wijk.name if part.is_wijk else part.name),
        "round_id": str(rnd.id),
        "currency": "euro cents",
        "date_begin": _local_date(rnd.voting_opened_at or rnd.voting_open_at),
        "date_end": _local_date(rnd.voting_closed_at or rnd.voting_close_at),
        "ballot_type": rnd.ballot_type,
    }
    if loaded.several:
        meta["ballot_part"] = part.key
    meta.update(_pb_ballot_limits(rnd, part))
    meta["tie_break"] = rnd.tie_break
    lot = pb_lot(rnd, part.loaded)
    if lot is not None:
        meta["tie_break_lot"] = ",".join(lot)
    meta["leftover_budget"] = pabulib_leftover_text(check_policy(rnd.leftover_policy))
    return meta


def _pb_ballot_limits(rnd: Round, part: LoadedPart) -> dict[str, str]:
    """The ballot rules in pabulib's META keys."""
    if rnd.ballot_type == BallotType.KNAPSACK.value:
        return {"max_sum_cost": str(int(part.loaded.election.budget))}
    if rnd.ballot_type == BallotType.POINTS.value:
        limits = {"min_sum_points": "1", "max_sum_points": str(rnd.points_total)}
        if rnd.points_per_project:
            limits["max_points"] = str(rnd.points_per_project)
        return limits
    return {"min_length": str(rnd.min_choices), "max_length": str(rnd.max_choices)}


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


def _manifest(rnd: Round, result: Result, loaded: LoadedRound) -> dict[str, Any]:
    buurt_names = {part.buurt_id: part.name for part in loaded.parts if part.buurt_id is not None}
    projects = [
        {
            "pb_id": pid,
            "project_id": project.id,
            "title": project.title,
            "cost_cents": project.cost_cents,
            "category": project.category,
            "buurt": part.loaded.election.projects[pid].neighborhood or None,
            "part": part.key,
        }
        for part in loaded.parts
        for pid, project in part.loaded.projects.items()
    ]
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
            "points_total": rnd.points_total,
            "points_per_project": rnd.points_per_project,
            "min_votes": rnd.min_votes,
            "category_caps_cents": {c.category: c.cap_cents for c in rnd.caps if c.category is not None},
            "buurt_caps_cents": {
                _buurt_name(rnd, c.buurt_id): c.cap_cents for c in rnd.caps if c.buurt_id is not None
            },
            "buurt_budgets_cents": {
                buurt_names.get(b.buurt_id, str(b.buurt_id)): b.budget_cents for b in rnd.buurt_budgets
            },
            "leftover_policy": rnd.leftover_policy,
            "out_of_scope": rnd.out_of_scope,
        },
        "projects": projects,
        "counting": {
            "rule": result.rule,
            "tie_break": rnd.tie_break,
            "tie_break_lot": list(rnd.tie_break_lot) if rnd.tie_break_lot is not None else None,
            "tie_break_lot_pb_ids": _lot_pb_ids(rnd, loaded),
            "leftover_policy": rnd.leftover_policy,
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
            "accounts_per_address": rnd.accounts_per_address,
        },
        "eligible_voters": eligible_voters(rnd),
    }


def _lot_pb_ids(rnd: Round, loaded: LoadedRound) -> list[str] | None:
    """The drawn lot as `.pb` ids of the projects on the ballot, in every part."""
    lots = [pb_lot(rnd, part.loaded) for part in loaded.parts]
    if lots[0] is None:
        return None
    on_ballot = {pid for lot in lots for pid in lot or []}
    return [pid for pid in (counting_id(p) for p in rnd.tie_break_lot or []) if pid in on_ballot]


def _buurt_name(rnd: Round, buurt_id: int | None) -> str:
    return next((b.name for b in rnd.wijk.buurten if b.id == buurt_id), str(buurt_id))


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
        "budget_left_cents": _budget_total(rnd) - result.total_cost_cents,
        "projects": [{**row, "pb_id": counting_id(int(row["project_id"]))} for row in rows],
    }


def _budget_total(rnd: Round) -> int:
    return rnd.budget_cents + sum(b.budget_cents for b in rnd.buurt_budgets)


def _part_section(
    rnd: Round, part: LoadedPart, summary: dict[str, Any], rows: list[dict[str, Any]], pbs: dict[str, str]
) -> dict[str, Any]:
    """One part of the ballot: its budget, ballots, winners, leftover step (with the amounts) and rows."""
    name = part_pb_name(rnd.id, part.key)
    return {
        "key": part.key,
        "name": part.name,
        "buurt_id": part.buurt_id,
        "pb": {"name": name, "sha256": sha256_text(pbs[name])},
        "tally_command": f"wijkbudget tally {name}",
        "budget_cents": summary.get("budget_cents", int(part.loaded.election.budget)),
        "ballots_counted": summary.get("ballots_counted", part.loaded.ballots_counted),
        "selected_pb_ids": [counting_id(int(pid)) for pid in summary.get("selected_project_ids", [])],
        "total_cost_cents": summary.get("total_cost_cents"),
        "budget_left_cents": summary.get("budget_left_cents"),
        "leftover": summary.get("leftover"),
        "tie_break_priority_pb_ids": [
            counting_id(int(pid)) for pid in (summary.get("tie_break_detail") or {}).get("order") or []
        ],
        "projects": [row["project_id"] for row in rows if row.get("part", "wijk") == part.key],
    }


def _recount_section(
    rnd: Round, result: Result, loaded: LoadedRound, summaries: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    order = (result.tie_break_detail or {}).get("order") or []
    return {
        "tally_command": f"wijkbudget tally {file_names(rnd.id)['pb']}",
        "tally_commands": [f"wijkbudget tally {part_pb_name(rnd.id, part.key)}" for part in loaded.parts],
        "rule": result.rule,
        "leftover_budget": pabulib_leftover_text(check_policy(rnd.leftover_policy)),
        # The complete tie-break priority order the count used (earlier wins a tie), as .pb ids: what a
        # pabutools recount needs to break ties exactly as the round did. With several parts: each part's
        # order one after the other (each part's own is in "parts").
        "tie_break_priority_pb_ids": [counting_id(int(pid)) for pid in order],
    }


def _result_csv(rows: list[dict[str, Any]], loaded: LoadedRound) -> str:
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    projects = {
        pid: (part, db_project) for part in loaded.parts for pid, db_project in part.loaded.projects.items()
    }
    for row in rows:
        pid = counting_id(int(row["project_id"]))
        part, project = projects.get(pid, (None, None))
        counted = part.loaded.election.projects.get(pid) if part is not None else None
        explanation = row.get("explanation") or {}
        writer.writerow(
            [
                pid,
                row["project_id"],
                row["title"],
                project.category if project is not None else "",
                counted.neighborhood if counted is not None else "",
                row["cost_cents"],
                row["votes"],
                "yes" if row["selected"] else "no",
                explanation.get("code", ""),
                json.dumps(explanation.get("details") or {}, sort_keys=True, separators=(",", ":")),
                row.get("part", "wijk"),
                row.get("funded_cents", row["cost_cents"] if row["selected"] else 0),
            ]
        )
    return out.getvalue()
