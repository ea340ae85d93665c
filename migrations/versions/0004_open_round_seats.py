"""Open rounds: one seat per person (postcode, house number, birth date) and per mailbox.

Revision ID: 0004_open_round_seats
Revises: 0003_counting_parts

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0004_open_round_seats"
down_revision = "0003_counting_parts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "open_round_seats",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("person_key", sa.String(length=64), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("voter_key", sa.String(length=64), nullable=False),
        sa.CheckConstraint("slot >= 1", name=op.f("ck_open_round_seats_slot_positive")),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_open_round_seats_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("round_id", "person_key", "slot", name=op.f("pk_open_round_seats")),
        sa.UniqueConstraint("round_id", "voter_key", name=op.f("uq_open_round_seats_round_id_voter_key")),
    )
    with op.batch_alter_table("rounds") as batch:
        batch.add_column(sa.Column("accounts_per_address", sa.Integer(), server_default="1", nullable=False))
        batch.create_check_constraint("accounts_per_address_range", "accounts_per_address BETWEEN 1 AND 50")
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("house_number", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("house_number_addition", sa.String(length=10), server_default="", nullable=False)
        )
        batch.create_check_constraint(
            "house_number_range", "house_number IS NULL OR house_number BETWEEN 1 AND 99999"
        )


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(batch.f("ck_users_house_number_range"), type_="check")
        batch.drop_column("house_number_addition")
        batch.drop_column("house_number")
    with op.batch_alter_table("rounds") as batch:
        batch.drop_constraint(batch.f("ck_rounds_accounts_per_address_range"), type_="check")
        batch.drop_column("accounts_per_address")
    op.drop_table("open_round_seats")
