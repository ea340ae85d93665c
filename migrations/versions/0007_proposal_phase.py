"""The proposal phase residents expect: reactions with replies, reports and moderation, following a proposal,
pictures, a place on the map with buurt boundaries, help requests, and polling-location details.

Revision ID: 0007_proposal_phase
Revises: 0006_support
Create Date: 2026-12-08 03:40:00

"""

from alembic import op
import sqlalchemy as sa

import app.models.base


# revision identifiers, used by Alembic.
revision = "0007_proposal_phase"
down_revision = "0006_support"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "help_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("asker_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=20), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("helper_id", sa.Integer(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("picked_up_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status <> 'answered' OR length(coalesce(answer, '')) > 0",
            name=op.f("ck_help_requests_answered_has_answer"),
        ),
        sa.CheckConstraint(
            "status = 'open' OR helper_id IS NOT NULL", name=op.f("ck_help_requests_picked_up_has_helper")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'picked_up', 'answered')", name=op.f("ck_help_requests_status_known")
        ),
        sa.CheckConstraint(
            "topic IN ('cost_estimate', 'permit', 'volunteers', 'wording')",
            name=op.f("ck_help_requests_topic_known"),
        ),
        sa.CheckConstraint(
            "length(question) BETWEEN 1 AND 2000", name=op.f("ck_help_requests_question_length")
        ),
        sa.ForeignKeyConstraint(
            ["asker_id"], ["users.id"], name=op.f("fk_help_requests_asker_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["helper_id"], ["users.id"], name=op.f("fk_help_requests_helper_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_help_requests_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_requests")),
    )
    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_help_requests_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_help_requests_status"), ["status"], unique=False)

    op.create_table(
        "proposal_follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_proposal_follows_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_proposal_follows_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_follows")),
        sa.UniqueConstraint("project_id", "user_id", name=op.f("uq_proposal_follows_project_id_user_id")),
    )
    with op.batch_alter_table("proposal_follows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_follows_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposal_follows_user_id"), ["user_id"], unique=False)

    op.create_table(
        "proposal_pictures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=40), nullable=False),
        sa.Column("thumb_name", sa.String(length=40), nullable=False),
        sa.Column("alt_text", sa.String(length=300), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "length(alt_text) BETWEEN 1 AND 300", name=op.f("ck_proposal_pictures_alt_text_length")
        ),
        sa.ForeignKeyConstraint(
            ["round_id", "project_id"],
            ["projects.round_id", "projects.id"],
            name="fk_proposal_pictures_round_project",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_proposal_pictures_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_pictures")),
        sa.UniqueConstraint("file_name", name=op.f("uq_proposal_pictures_file_name")),
        sa.UniqueConstraint("thumb_name", name=op.f("uq_proposal_pictures_thumb_name")),
    )
    with op.batch_alter_table("proposal_pictures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_pictures_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposal_pictures_round_id"), ["round_id"], unique=False)

    op.create_table(
        "reactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("edited_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("hidden_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("hidden_reason", sa.Text(), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "hidden_at IS NULL OR length(coalesce(hidden_reason, '')) > 0",
            name=op.f("ck_reactions_hidden_has_reason"),
        ),
        sa.CheckConstraint("length(body) BETWEEN 1 AND 2000", name=op.f("ck_reactions_body_length")),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name=op.f("ck_reactions_not_own_parent")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_reactions_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"], ["users.id"], name=op.f("fk_reactions_hidden_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["reactions.id"], name=op.f("fk_reactions_parent_id_reactions"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_reactions_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reactions")),
    )
    with op.batch_alter_table("reactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reactions_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reactions_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reactions_project_id"), ["project_id"], unique=False)

    op.create_table(
        "reaction_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reaction_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("handled_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["reaction_id"],
            ["reactions.id"],
            name=op.f("fk_reaction_reports_reaction_id_reactions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["users.id"],
            name=op.f("fk_reaction_reports_reporter_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reaction_reports")),
        sa.UniqueConstraint(
            "reaction_id", "reporter_id", name=op.f("uq_reaction_reports_reaction_id_reporter_id")
        ),
    )
    with op.batch_alter_table("reaction_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reaction_reports_reaction_id"), ["reaction_id"], unique=False)

    with op.batch_alter_table("buurten", schema=None) as batch_op:
        batch_op.add_column(sa.Column("boundary", sa.JSON(), nullable=True))

    with op.batch_alter_table("polling_locations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("opening_hours", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("accessibility", sa.Text(), server_default="", nullable=False))

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Float(), nullable=True))
        batch_op.create_check_constraint("location_complete", "(latitude IS NULL) = (longitude IS NULL)")
        batch_op.create_check_constraint(
            "location_in_range",
            "latitude IS NULL OR (latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180)",
        )


def downgrade():
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_projects_location_in_range"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_projects_location_complete"), type_="check")
        batch_op.drop_column("longitude")
        batch_op.drop_column("latitude")

    with op.batch_alter_table("polling_locations", schema=None) as batch_op:
        batch_op.drop_column("accessibility")
        batch_op.drop_column("opening_hours")
        batch_op.drop_column("address")

    with op.batch_alter_table("buurten", schema=None) as batch_op:
        batch_op.drop_column("boundary")

    with op.batch_alter_table("reaction_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reaction_reports_reaction_id"))

    op.drop_table("reaction_reports")
    with op.batch_alter_table("reactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reactions_project_id"))
        batch_op.drop_index(batch_op.f("ix_reactions_parent_id"))
        batch_op.drop_index(batch_op.f("ix_reactions_author_id"))

    op.drop_table("reactions")
    with op.batch_alter_table("proposal_pictures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_pictures_round_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_pictures_project_id"))

    op.drop_table("proposal_pictures")
    with op.batch_alter_table("proposal_follows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_follows_user_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_follows_project_id"))

    op.drop_table("proposal_follows")
    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_help_requests_status"))
        batch_op.drop_index(batch_op.f("ix_help_requests_project_id"))

    op.drop_table("help_requests")
