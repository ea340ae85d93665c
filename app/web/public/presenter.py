"""Turn a published result into what the results page and its JSON version show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from app.models import Result, Round
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

    @property
    def budget_cents(self) -> int:
        return self.round.budget_cents

    @property
    def used_cents(self) -> int:
        return self.result.total_cost_cents

    @property
    def left_cents(self) -> int:
        return self.round.budget_cents - self.result.total_cost_cents


def present(published: PublishedRound) -> ResultPage:
    result = published.result
    titles = {int(row["project_id"]): str(row["title"]) for row in result.project_results}
    lines = [_line(row, titles) for row in result.project_results]
    return ResultPage(
        round=published.round,
        result=result,
        lines=lines,
        tie_break=_tie_break(result.tie_break_detail or {}, titles),
        winners=[line for line in lines if line.selected],
        others=[line for line in lines if not line.selected],
    )


def _line(row: dict[str, Any], titles: dict[int, str]) -> ProjectLine:
    explanation = dict(row.get("explanation") or {})
    return ProjectLine(
        project_id=int(row["project_id"]),
        title=str(row["title"]),
        votes=int(row["votes"]),
        cost_cents=int(row["cost_cents"]),
        selected=bool(row["selected"]),
        reason=reason_text(explanation, titles),
        explanation=explanation,
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
                "reason": line.reason,
                "explanation": line.explanation,
            }
            for line in page.lines
        ],
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
