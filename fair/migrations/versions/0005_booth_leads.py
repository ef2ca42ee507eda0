"""Booth leads: who last wrote each lead, and the booth's own questions

- lead.last_device_id: the phone that last scanned or edited the lead (the
  first scanner is lead.device_id), shown in the booth's list and exports.
- lead.answers: the answers to the booth's own questions, by question id.
- booth_question: up to five questions per booth (text, yes/no, choice), set
  by the organiser or a phone of the booth; removing one keeps its answers.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-03 09:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("lead") as batch_op:
        batch_op.add_column(sa.Column("last_device_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("answers", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch_op.create_foreign_key(op.f("fk_lead_last_device_id_device"), "device", ["last_device_id"], ["id"])
    op.create_table(
        "booth_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booth_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["booth_id"], ["booth.id"], name=op.f("fk_booth_question_booth_id_booth")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booth_question")),
    )
    with op.batch_alter_table("booth_question") as batch_op:
        batch_op.create_index(batch_op.f("ix_booth_question_booth_id"), ["booth_id"], unique=False)


def downgrade():
    with op.batch_alter_table("booth_question") as batch_op:
        batch_op.drop_index(batch_op.f("ix_booth_question_booth_id"))
    op.drop_table("booth_question")
    with op.batch_alter_table("lead") as batch_op:
        batch_op.drop_constraint(op.f("fk_lead_last_device_id_device"), type_="foreignkey")
        batch_op.drop_column("answers")
        batch_op.drop_column("last_device_id")
