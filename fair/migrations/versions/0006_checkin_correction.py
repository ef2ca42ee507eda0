"""Undoing a wrong entry or exit: a correction row per undone scan

- check_in_correction: names the scan it undoes (one correction per scan), who
  undid it (a gate device, or the organiser: actor) and when. Scans are never
  changed or deleted; counts leave out the corrected ones.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 09:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "check_in_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fair_id", sa.Integer(), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["checkin_id"], ["check_in.id"],
                                name=op.f("fk_check_in_correction_checkin_id_check_in"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["device_id"], ["device.id"], name=op.f("fk_check_in_correction_device_id_device")),
        sa.ForeignKeyConstraint(["fair_id"], ["fair.id"], name=op.f("fk_check_in_correction_fair_id_fair")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_in_correction")),
        sa.UniqueConstraint("checkin_id", name=op.f("uq_check_in_correction_checkin_id")),
    )
    op.create_index(op.f("ix_check_in_correction_fair_id"), "check_in_correction", ["fair_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_check_in_correction_fair_id"), table_name="check_in_correction")
    op.drop_table("check_in_correction")
