"""Flask extensions, created unbound; create_app() binds them with init_app()."""
from __future__ import annotations

from flask_babel import Babel
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase

# Named constraints make Alembic migrations portable between SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Row ids are Integer columns: 32 bits on PostgreSQL (SQLite's go to 2**63 - 1). An id
# from a URL, a link or a token beyond this names no row; asking the database would be
# an overflow error (a 500) on PostgreSQL.
MAX_ROW_ID = 2**31 - 1


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Rows keep their values after commit: a scan's answer and live event are built
# from what was just written, without reloading every row (measured: about a
# fifth of the server's time per scan went to those reloads).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
socketio = SocketIO()
babel = Babel()
csrf = CSRFProtect()


def execute(statement, params: dict | None = None):
    """Run a prebuilt Core statement in the session's transaction, on its connection.

    The scan paths use this: Session.execute adds ORM bookkeeping per statement
    that plain table statements do not need (a tenth of a scan, measured).
    """
    return db.session.connection().execute(statement, params)


def dialect_insert(table: Table):
    """INSERT for the app's database with its ON CONFLICT clauses (SQLite and PostgreSQL both
    have `on_conflict_do_nothing` / `on_conflict_do_update`; plain `insert` has neither)."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)
