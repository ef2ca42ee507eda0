"""Distinct device names; years of experience with a fraction

- device: partial unique indexes, so two active gates (or screens, or
  integrations) of a fair cannot share a name, nor two active phones of one
  booth. Names that already clash are made distinct first ("Gate 1 (2)"), so
  the upgrade never fails on an existing fair.
- attendee.experience_years: a float ("2.5" years is a real answer on the
  registration form); whole numbers read back as int (fair.checkin.models.Years).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 09:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ACTIVE_UNBOOTHED = "revoked_at IS NULL AND booth_id IS NULL"
ACTIVE_BOOTHED = "revoked_at IS NULL AND booth_id IS NOT NULL"


def _make_names_distinct(connection) -> None:
    rows = connection.execute(sa.text(
        "SELECT id, fair_id, kind, booth_id, name FROM device WHERE revoked_at IS NULL ORDER BY id")).all()
    taken: set[tuple] = set()
    for device_id, fair_id, kind, booth_id, name in rows:
        scope = ("booth", booth_id) if booth_id is not None else ("kind", fair_id, kind)
        candidate, number = name, 2
        while (scope, candidate) in taken:
            suffix = f" ({number})"
            candidate, number = name[:120 - len(suffix)] + suffix, number + 1
        taken.add((scope, candidate))
        if candidate != name:
            connection.execute(sa.text("UPDATE device SET name = :name WHERE id = :id"),
                               {"name": candidate, "id": device_id})


def upgrade():
    _make_names_distinct(op.get_bind())
    op.create_index("uq_device_name_per_kind", "device", ["fair_id", "kind", "name"], unique=True,
                    sqlite_where=sa.text(ACTIVE_UNBOOTHED), postgresql_where=sa.text(ACTIVE_UNBOOTHED))
    op.create_index("uq_device_name_per_booth", "device", ["booth_id", "name"], unique=True,
                    sqlite_where=sa.text(ACTIVE_BOOTHED), postgresql_where=sa.text(ACTIVE_BOOTHED))
    with op.batch_alter_table("attendee") as batch_op:
        batch_op.alter_column("experience_years", existing_type=sa.Integer(), type_=sa.Float(),
                              existing_nullable=True)


def downgrade():
    with op.batch_alter_table("attendee") as batch_op:
        batch_op.alter_column("experience_years", existing_type=sa.Float(), type_=sa.Integer(),
                              existing_nullable=True, postgresql_using="round(experience_years)::integer")
    op.drop_index("uq_device_name_per_booth", table_name="device")
    op.drop_index("uq_device_name_per_kind", table_name="device")
