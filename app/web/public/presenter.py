"""Turn a published result into what the results page and its JSON version show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from app.models import BallotType, Result, Round
from app.money import euro_text as euro
from app.services.results import drops as winner_drops
from app.services.results.publishing import PublishedRound
from app.web.charts import Bar, horizontal_bar_chart
from app.web.public.reasons import reason_text


@dataclass(frozen=True)
class ProjectLine:
    project_id: int
    title: str
    votes: int
    cost_cents: int
    selected: bool
    reason: str
    explanation: dict[str, Any]
    score: int | float = 0
    part: str = "wijk"
    funded_cents: int = 0  # what it gets: its cost, or the part the leftover step gave it

    @property
    def partial(self) -> bool:
        return self.selected and self.funded_cents < self.cost_cents


@dataclass(frozen=True)
class LeftoverLine:
    """What happened to the money a part's count left: the amounts, and the projects it went to (titles)."""

    policy: str
    left_after_rule_cents: int
    added: list[str]
    partial_title: str | None
    partial_amount_cents: int
    partial_cost_cents: int
    left_cents: int
    goes_to: str


@dataclass(frozen=True)
class PartPage:
    """One part of the ballot on the results page: its budget, ballots, projects and leftover step."""

    key: str
    name: str
    is_wijk: bool
    budget_cents: int
    used_cents: int
    ballots_counted: int
    lines: list[ProjectLine]
    leftover: LeftoverLine | None

    @property
    def left_cents(self) -> int:
        return self.budget_cents - self.used_cents

    @property
    def winners(self) -> list[ProjectLine]:
        return [line for line in self.lines if line.selected]

    @property
    def others(self) -> list[ProjectLine]:
        return [line for line in self.lines if not line.selected]


@dataclass(frozen=True)
class TieBreakSummary:
    mode: str
    ties: list[list[str]]  # titles of projects with equal votes, in the order the tie-break put them
    lot: list[str]  # titles in the order drawn (only kept when the lot mattered)
    lot_mattered: bool
    no_lot_drawn: bool


@dataclass(frozen=True)
class ResultPage:
    round: Round
    result: Result
    lines: list[ProjectLine]
    tie_break: TieBreakSummary
    winners: list[ProjectLine] = field(default_factory=list)
    others: list[ProjectLine] = field(default_factory=list)
    parts: list[PartPage] = field(default_factory=list)

    @property
    def several_parts(self) -> bool:
        return len(self.parts) > 1

    @property
    def budget_cents(self) -> int:
        return self.round.budget_cents + sum(b.budget_cents for b in self.round.buurt_budgets)

    @property
    def used_cents(self) -> int:
        return self.result.total_cost_cents

    @property
    def left_cents(self) -> int:
        return self.budget_cents - self.result.total_cost_cents


def present(published: PublishedRound) -> ResultPage:
    result = published.result
    rnd = published.round
    titles = {int(row["project_id"]): str(row["title"]) for row in result.project_results}
    points = rnd.ballot_type in (BallotType.POINTS.value, BallotType.RANKED.value)
    lines = [_line(row, titles, points) for row in result.project_results]
    return ResultPage(
        round=rnd,
        result=result,
        lines=lines,
        tie_break=_tie_break(result.tie_break_detail or {}, titles),
        winners=[line for line in lines if line.selected],
        others=[line for line in lines if not line.selected],
        parts=[_part(summary, lines, titles) for summary in result.parts or []],
    )


def _line(row: dict[str, Any], titles: dict[int, str], points: bool) -> ProjectLine:
    explanation = dict(row.get("explanation") or {})
    selected = bool(row["selected"])
    cost = int(row["cost_cents"])
    return ProjectLine(
        project_id=int(row["project_id"]),
        title=str(row["title"]),
        votes=int(row["votes"]),
        cost_cents=cost,
        selected=selected,
        reason=reason_text(explanation, titles, points=points),
        explanation=explanation,
        score=row.get("score", row["votes"]),
        part=str(row.get("part", "wijk")),
        funded_cents=int(row.get("funded_cents", cost if selected else 0)),
    )


def _part(summary: dict[str, Any], lines: list[ProjectLine], titles: dict[int, str]) -> PartPage:
    key = str(summary.get("key", "wijk"))
    return PartPage(
        key=key,
        name=str(summary.get("name", "")),
        is_wijk=summary.get("buurt_id") is None,
        budget_cents=int(summary.get("budget_cents", 0)),
        used_cents=int(summary.get("total_cost_cents", 0)),
        ballots_counted=int(summary.get("ballots_counted", 0)),
        lines=[line for line in lines if line.part == key],
        leftover=_leftover(summary.get("leftover"), titles),
    )


def _leftover(step: dict[str, Any] | None, titles: dict[int, str]) -> LeftoverLine | None:
    if not step:
        return None
    partial = step.get("partial") or {}
    return LeftoverLine(
        policy=str(step.get("policy", "")),
        left_after_rule_cents=int(step.get("left_after_rule_cents", 0)),
        added=[titles.get(int(pid), str(pid)) for pid in step.get("added_project_ids") or []],
        partial_title=titles.get(int(partial["project_id"])) if partial else None,
        partial_amount_cents=int(partial.get("amount_cents", 0)),
        partial_cost_cents=int(partial.get("cost_cents", 0)),
        left_cents=int(step.get("left_cents", 0)),
        goes_to=str(step.get("goes_to", "municipality")),
    )


def _tie_break(detail: dict[str, Any], titles: dict[int, str]) -> TieBreakSummary:
    def named(ids: list[Any]) -> list[str]:
        return [titles.get(int(pid), str(pid)) for pid in ids]

    lot_mattered = bool(detail.get("lot_mattered"))
    lot_ids = [pid for pid in (detail.get("lot") or []) if int(pid) in titles]
    return TieBreakSummary(
        mode=str(detail.get("mode", "")),
        ties=[named(group) for group in detail.get("ties") or []],
        lot=named(lot_ids) if lot_mattered else [],
        lot_mattered=lot_mattered,
        no_lot_drawn=bool(detail.get("fallback_to_id_order")),
    )


def votes_chart(page: ResultPage) -> Markup:
    """The votes per project as an SVG bar chart; winners hatched and marked in text."""
    bars = [
        Bar(
            label=line.title,
            value=line.votes,
            value_text=ngettext("%(num)d vote", "%(num)d votes", line.votes),
            marked=line.selected,
        )
        for line in page.lines
    ]
    return horizontal_bar_chart(
        bars,
        chart_id=f"votes-{page.round.id}",
        title=_("Votes per project"),
        description=_(
            "Bar chart of the number of votes per project, from most to fewest. Chosen projects have a "
            "striped bar and the mark “✓ chosen”. The same figures are listed below the chart."
        ),
        mark_text=_("✓ chosen"),
    )


def as_json(page: ResultPage) -> dict[str, Any]:
    """The published result as JSON: the same figures and reasons as the page."""
    rnd, result = page.round, page.result
    return {
        "round": {"id": rnd.id, "title": rnd.title, "wijk": rnd.wijk.name},
        "published_at": result.published_at.isoformat() if result.published_at else None,
        "computed_at": result.computed_at.isoformat(),
        "rule": result.rule,
        "tie_break": result.tie_break,
        "tie_break_detail": result.tie_break_detail,
        "budget_cents": page.budget_cents,
        "total_cost_cents": page.used_cents,
        "budget_left_cents": page.left_cents,
        "ballots_counted": result.ballots_counted,
        "ballots_rejected_ineligible": result.ballots_rejected,
        "eligibility": rnd.eligibility,
        "selected_project_ids": list(result.selected_project_ids),
        "projects": [
            {
                "project_id": line.project_id,
                "title": line.title,
                "votes": line.votes,
                "cost_cents": line.cost_cents,
                "cost": euro(line.cost_cents),
                "selected": line.selected,
                "score": line.score,
                "part": line.part,
                "funded_cents": line.funded_cents,
                "reason": line.reason,
                "explanation": line.explanation,
            }
            for line in page.lines
        ],
        "parts": list(result.parts or []),
        **_changes_after_publication(result),
    }


def _changes_after_publication(result: Result) -> dict[str, Any]:
    """Winners dropped after publication (comply or explain) and the projects the rule added instead; the
    published result above stays as it was counted."""
    drops = winner_drops.round_drops(result.round_id)
    return {
        "changes_after_publication": [
            {
                "dropped_project_id": drop.project_id,
                "reason": drop.reason,
                "dropped_at": drop.created_at.isoformat(),
                "added_project_ids": list(drop.added_project_ids),
                "kept_winners_not_rechosen": list(drop.rerun.get("kept_winners_not_rechosen") or []),
            }
            for drop in drops
        ],
        "winners_after_changes": winner_drops.current_winners(result, drops),
    }
