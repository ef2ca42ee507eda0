"""Columns the trust fixes need

- organiser.session_version: a signed session cookie names the version it was
  made under; logout and a new password bump it, so every older cookie is dead.
- attendee.national_id_claim_hash: a registration that typed a national ID
  another attendee already holds keeps it here (never in clear) instead of
  being told "already registered"; the organiser resolves the claim.
- fair.revision: bumped in the same transaction as a write that the caches of
  other processes must notice (an erasure, a revoked device, an import); the
  server polls it once a second.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 10:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organiser") as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("attendee") as batch_op:
        batch_op.add_column(sa.Column("national_id_claim_hash", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_attendee_national_id_claim_hash", ["national_id_claim_hash"], unique=False)
    with op.batch_alter_table("fair") as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("fair") as batch_op:
        batch_op.drop_column("revision")
    with op.batch_alter_table("attendee") as batch_op:
        batch_op.drop_index("ix_attendee_national_id_claim_hash")
        batch_op.drop_column("national_id_claim_hash")
    with op.batch_alter_table("organiser") as batch_op:
        batch_op.drop_column("session_version")
