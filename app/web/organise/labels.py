"""Words for the codes organisers and professionals see: phases, pending actions and audit actions."""

from __future__ import annotations

from typing import Any

from app.translated import lazy_gettext as _l

PHASE_NAMES = {
    "draft": _l("Draft"),
    "proposals": _l("Proposals"),
    "review": _l("Feasibility check"),
    "voting": _l("Voting"),
    "closed": _l("Voting closed"),
    "published": _l("Published"),
}

PENDING_ACTIONS = {
    "finish_draft": _l("Draft: check the rules and dates, then start the proposals phase."),
    "reviews_waiting": _l("Proposals are waiting for the feasibility check."),
    "voting_blocked": _l(
        "Voting should have opened, but proposals still wait for review or none is feasible."
    ),
    "close_voting": _l("The voting period is over: close voting."),
    "start_count": _l("Voting closed: start the count."),
    "publish": _l("Counted: check the count and publish the result."),
}

JOB_NAMES = {
    "wijkbudget.send_email": _l("Send an e-mail"),
    "wijkbudget.notify_results_published": _l("Tell subscribers the result is out"),
    "wijkbudget.import_register": _l("Import the register of residents"),
    "wijkbudget.generate_codes": _l("Make letter codes and letters"),
    "wijkbudget.tally_round": _l("Count the votes"),
    "wijkbudget.publish_round": _l("Publish the result"),
    "wijkbudget.verify_register_matches": _l("Check addresses against the register"),
}

JOB_STATES = {
    "pending": _l("Waiting"),
    "published": _l("Waiting for a worker"),
    "running": _l("Running"),
    "done": _l("Done"),
    "failed": _l("Failed"),
}

AUDIT_ACTIONS = {
    "wijk.created": _l("Neighbourhood created"),
    "wijk.updated": _l("Neighbourhood changed"),
    "round.created": _l("Round created"),
    "round.updated": _l("Rules or dates changed"),
    "phase.advanced": _l("Phase changed"),
    "phase.blocked": _l("Voting could not open"),
    "tie_break.lot_drawn": _l("Lot drawn for ties"),
    "project.reviewed": _l("Proposal reviewed"),
    "count.requested": _l("Count requested"),
    "publish.requested": _l("Publication requested"),
    "round.amended": _l("Text corrected (public amendment)"),
    "round.counted": _l("Votes counted"),
    "round.published": _l("Result published"),
    "round.count_failed": _l("Count or publication failed"),
    "polling_location.created": _l("Polling location added"),
    "polling_location.updated": _l("Polling location changed"),
    "paper_entry.entered": _l("Paper ballot entered"),
    "paper_entry.confirmed": _l("Paper ballot confirmed by a second poll worker"),
    "paper_entry.rejected": _l("Paper ballot rejected"),
    "paper_entry.discarded": _l("Unconfirmed paper ballots discarded when voting closed"),
    "ballot.cast": _l("Ballot cast (only the receipt's fingerprint is kept)"),
    "register.upload": _l("Register file uploaded"),
    "register.imported": _l("Register imported"),
    "register.import_failed": _l("Register import stopped"),
    "register.cleared": _l("Register cleared"),
    "register.purged": _l("Register deleted after the retention period"),
}


COUNTING_RULES = {
    "greedy": _l("Most votes first; skip a project that no longer fits (greedy)"),
    "greedy-no-skip": _l("Most votes first; stop at the first project that no longer fits"),
    "greedy-threshold": _l("Most votes first, only projects with enough votes"),
    "greedy-per-cost": _l("Most votes per euro first"),
    "equalshares": _l("Method of Equal Shares"),
    "equalshares/add1": _l("Method of Equal Shares, using as much of the budget as possible (add1)"),
    "equalshares/add1-greedy": _l("Method of Equal Shares (add1), then most votes first for what is left"),
    "equalshares-approval": _l("Method of Equal Shares, counting supporters instead of costs"),
}


def counting_rule_label(rule: str) -> Any:
    return COUNTING_RULES.get(rule, rule)


def phase_name(phase: str) -> Any:
    return PHASE_NAMES.get(phase, phase)


def label_helpers() -> dict[str, Any]:
    """Template helpers for the organise and review blueprints."""
    return {
        "phase_name": phase_name,
        "pending_action_text": lambda code: PENDING_ACTIONS.get(code, code),
        "audit_action_text": lambda code: AUDIT_ACTIONS.get(code, code),
        "job_name": job_name,
        "job_state": job_state,
    }


def job_name(name: str) -> Any:
    return JOB_NAMES.get(name, name)


def job_state(state: str) -> Any:
    return JOB_STATES.get(state, state)
