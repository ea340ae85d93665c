"""Reactions: plain text with one level of replies, 15 minutes to edit, reports, moderation with a public
reason, and the proposer and followers told by e-mail through the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask

from app.extensions import db
from app.models import AuditEvent, Notification, OutgoingEmail, Phase, ProjectStatus, Reaction, Role
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.services.proposals import follows, reactions
from app.services.proposals.review import review_project
from tests.factories import make_project, make_round, make_user, make_wijk
from tests.results_data import service_context


@pytest.fixture(autouse=True)
def ctx(app: Flask, db_session: object) -> Iterator[None]:
    with service_context(app, "en"):
        yield


def _proposal(phase: Phase = Phase.PROPOSALS):  # type: ignore[no-untyped-def]
    rnd = make_round(phase=phase)
    author = make_user(wijk=rnd.wijk, name="Ans Indiener")
    return make_project(rnd, status=ProjectStatus.SUBMITTED, author_id=author.id), author


def _count() -> int:
    return db.session.query(Reaction).count()


def test_a_reaction_and_a_reply_are_stored_and_the_proposer_is_told(db_session) -> None:
    project, author = _proposal()
    neighbour = make_user(name="Bram Buur")
    first = reactions.post_reaction(neighbour, project.id, "  Goed plan! Zie https://example.nl/plan  ")
    assert first.body == "Goed plan! Zie https://example.nl/plan"
    reply = reactions.post_reaction(author, project.id, "Dank je!", parent_id=first.id)
    assert [r.id for r in reactions.reactions_of(project.id)] == [first.id]
    assert [r.id for r in first.replies] == [reply.id]
    [note] = db.session.query(Notification).filter_by(user_id=author.id, kind="proposal_reaction").all()
    assert note.details["name"] == "Bram Buur"
    [mail] = db.session.query(OutgoingEmail).filter_by(to=author.email).all()
    assert "Bram Buur" in mail.body and f"/project/{project.id}" in mail.body
    # The proposer is not told about their own reply.
    assert db.session.query(Notification).filter_by(user_id=author.id).count() == 1


def test_replies_go_one_level_deep_and_stay_on_their_proposal(db_session) -> None:
    project, _author = _proposal()
    other, _ = _proposal()
    user = make_user()
    top = reactions.post_reaction(user, project.id, "Eerste")
    reply = reactions.post_reaction(user, project.id, "Antwoord", parent_id=top.id)
    with pytest.raises(RuleViolation):
        reactions.post_reaction(user, project.id, "Antwoord op antwoord", parent_id=reply.id)
    with pytest.raises(RuleViolation):
        reactions.post_reaction(user, other.id, "Verkeerd voorstel", parent_id=top.id)
    assert _count() == 2


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("x" * 50_000, "50000 characters"),
        ("<script>alert(1)</script>", "HTML"),
        ('Kijk <a href="https://x.nl">hier</a>', "HTML"),
        ("   ", "Write your reaction"),
    ],
    ids=["50000-characters", "script", "link-tag", "empty"],
)
def test_bad_reactions_get_a_clear_message_and_nothing_is_stored(db_session, body: str, says: str) -> None:
    project, _author = _proposal()
    with pytest.raises(RuleViolation) as refused:
        reactions.post_reaction(make_user(), project.id, body)
    assert says in str(refused.value.message)
    assert refused.value.field == "body"
    assert _count() == 0


def test_plain_text_with_angle_brackets_is_fine(db_session) -> None:
    project, _author = _proposal()
    reaction = reactions.post_reaction(make_user(), project.id, "3 < 4 en ik <3 dit plan")
    assert reaction.body == "3 < 4 en ik <3 dit plan"


def test_reactions_are_open_in_review_and_read_only_from_voting(db_session) -> None:
    in_review, _ = _proposal(Phase.REVIEW)
    reactions.post_reaction(make_user(), in_review.id, "Nog steeds open")
    voting, _ = _proposal(Phase.VOTING)
    with pytest.raises(RuleViolation, match="closed"):
        reactions.post_reaction(make_user(), voting.id, "Te laat")
    assert isinstance(reactions.may_react(None, in_review), NotAllowed)


def test_the_writer_edits_for_fifteen_minutes_only(db_session) -> None:
    project, _author = _proposal()
    writer = make_user()
    reaction = reactions.post_reaction(writer, project.id, "Eerste versie")
    with pytest.raises(NotAllowed):
        reactions.edit_reaction(make_user(), reaction.id, "Van iemand anders")
    reactions.edit_reaction(writer, reaction.id, "Tweede versie")
    assert reaction.body == "Tweede versie" and reaction.edited_at is not None
    reaction.created_at -= timedelta(minutes=16)
    db.session.commit()
    with pytest.raises(RuleViolation, match="15 minutes"):
        reactions.edit_reaction(writer, reaction.id, "Derde versie")
    assert reaction.body == "Tweede versie"


def test_reports_and_hiding_with_a_public_reason_in_the_audit_log(db_session) -> None:
    project, _author = _proposal()
    reaction = reactions.post_reaction(make_user(), project.id, "Iets vervelends")
    reporter = make_user()
    reactions.report_reaction(reporter, reaction.id, "Beledigend")
    reactions.report_reaction(reporter, reaction.id, "Nog eens")  # once per user
    organiser = make_user(Role.ORGANISER)
    assert reactions.reported_reactions(organiser) == [(reaction, 1)]
    elsewhere = make_user(Role.ORGANISER, wijken=[make_wijk()])
    assert reactions.reported_reactions(elsewhere) == []  # another wijk's organiser sees nothing of it
    with pytest.raises(NotFound):
        reactions.hide_reaction(elsewhere, reaction.id, "Niet mijn wijk")
    with pytest.raises(NotAllowed):
        reactions.hide_reaction(make_user(), reaction.id, "Geen organisator")
    with pytest.raises(RuleViolation):
        reactions.hide_reaction(organiser, reaction.id, "  ")
    reactions.hide_reaction(organiser, reaction.id, "Beledigt een buurman")
    assert reaction.hidden_reason == "Beledigt een buurman" and reaction.hidden_by_id == organiser.id
    assert reactions.reported_reactions(organiser) == []
    event = db.session.query(AuditEvent).filter_by(action="reaction.hidden").one()
    assert event.actor_id == organiser.id and event.details["reason"] == "Beledigt een buurman"


def test_followers_hear_of_reactions_and_of_the_review(db_session) -> None:
    project, author = _proposal(Phase.REVIEW)
    follower = make_user()
    follows.follow(follower, project.id)
    follows.follow(follower, project.id)  # once
    assert follows.follows(follower, project.id)
    reactions.post_reaction(make_user(), project.id, "Mooi")
    review_project(
        make_user(Role.PROFESSIONAL),
        project.id,
        feasible=True,
        reason="",
        new_cost_cents=None,
        cost_reason=None,
    )
    kinds = {n.kind for n in db.session.query(Notification).filter_by(user_id=follower.id)}
    assert kinds == {"followed_proposal_reaction", "followed_proposal_reviewed"}
    assert db.session.query(OutgoingEmail).filter_by(to=follower.email).count() == 2
    assert {n.kind for n in db.session.query(Notification).filter_by(user_id=author.id)} == {
        "proposal_reaction",
        "proposal_reviewed",
    }
    follows.unfollow(follower, project.id)
    assert not follows.follows(follower, project.id)
