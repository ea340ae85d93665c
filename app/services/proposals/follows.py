"""Following a proposal: the proposer and every follower hear of new reactions and of the review outcome.

Each message is an in-app notification and an e-mail (stored in the caller's transaction, sent by the outbox
after the commit); nobody is told about their own reaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from app.extensions import db
from app.models import Project, ProposalFollow, User
from app.services.insert_once import insert_once
from app.services.notifications.inbox import notify
from app.services.proposals.submissions import public_project


def follow(actor: User, project_id: int) -> None:
    project = public_project(project_id)
    insert_once(ProposalFollow, ["project_id", "user_id"], project_id=project.id, user_id=actor.id)
    db.session.commit()


def unfollow(actor: User, project_id: int) -> None:
    project = public_project(project_id)
    db.session.execute(
        delete(ProposalFollow).where(
            ProposalFollow.project_id == project.id, ProposalFollow.user_id == actor.id
        )
    )
    db.session.commit()


def follows(actor: User | None, project_id: int) -> bool:
    if actor is None:
        return False
    found = select(ProposalFollow.id).where(
        ProposalFollow.project_id == project_id, ProposalFollow.user_id == actor.id
    )
    return db.session.scalar(found) is not None


def followers(project: Project) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(ProposalFollow, ProposalFollow.user_id == User.id)
            .where(ProposalFollow.project_id == project.id)
            .order_by(User.id)
        )
    )


def tell_followers(project: Project, actor: User | None, kind: str, **details: Any) -> None:
    """Notify the proposer (`kind`) and the followers (`followed_<kind>`), never the actor; the caller commits."""
    told = {actor.id} if actor is not None else set()
    if project.author is not None and project.author.id not in told:
        notify(project.author, kind, project_id=project.id, title=project.title, **details)
        told.add(project.author.id)
    for user in followers(project):
        if user.id not in told:
            notify(user, f"followed_{kind}", project_id=project.id, title=project.title, **details)
            told.add(user.id)
