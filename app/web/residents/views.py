"""Residents: rounds, kaders, proposals and ballots."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required
from sqlalchemy import select

from app.extensions import db
from app.models import Round

bp = Blueprint("residents", __name__)


@bp.route("/")
def home():  # type: ignore[no-untyped-def]
    rounds = db.session.scalars(select(Round).order_by(Round.voting_open_at.desc())).all()
    return render_template("residents/home.html", rounds=rounds)


@bp.route("/mijn-voorstellen")
@login_required
def my_proposals():  # type: ignore[no-untyped-def]
    return render_template("residents/my_proposals.html")
