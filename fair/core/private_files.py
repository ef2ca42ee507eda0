"""Files that hold personal data or secrets: readable by the fair's own user only.

The instance folder holds the database (names, phones, the fair's card-signing
private key), its WAL, backups and TLS keys; exports hold names and phones.
Any other local user who can read them can read attendees' data and forge
cards the gate accepts. So the process umask is 0o077 from the start, every
file we write ourselves is opened 0600 explicitly (a umask can be changed by
a library or a caller), and an instance folder made by an older version is
tightened on startup.
"""
from __future__ import annotations

import os
from pathlib import Path

PRIVATE_UMASK = 0o077
FILE_MODE = 0o600
FOLDER_MODE = 0o700


def set_private_umask() -> None:
    """New files and folders of this process: owner only (SQLite's files and WAL included)."""
    os.umask(PRIVATE_UMASK)


def private_folder(path: Path) -> Path:
    """Create the folder (and missing parents) 0700; an existing one we own is tightened."""
    path = Path(path)
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    _chmod(path, FOLDER_MODE)
    return path


def create_private(path: Path) -> None:
    """Create (or empty) a file 0600 before another library writes into it (SQLite, a backup)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.close(fd)
    _chmod(Path(path), FILE_MODE)  # O_CREAT's mode does not apply to a file that existed


def write_private(path: Path, data: bytes) -> None:
    """Write the whole file 0600 (an export, a person's data); an existing file is replaced, tightened."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        _chmod(path, FILE_MODE)
        with os.fdopen(fd, "wb") as fh:
            fd = -1
            fh.write(data)
    finally:
        if fd != -1:
            os.close(fd)


def tighten(folder: Path, extra_files: tuple[Path, ...] = ()) -> None:
    """Owner-only modes for an existing instance folder, everything in it, and the database files.

    Made for folders left 0755/0644 by older versions: fair.db, -wal, -shm,
    backups, TLS keys, secrets. Only files this user owns are changed; a
    failure (another owner, a read-only mount) is left to the operator.
    """
    folder = Path(folder)
    if folder.is_dir():
        _chmod(folder, FOLDER_MODE)
        for root, dirs, files in os.walk(folder):
            for name in dirs:
                _chmod(Path(root) / name, FOLDER_MODE)
            for name in files:
                _chmod(Path(root) / name, FILE_MODE)
    for path in extra_files:
        for candidate in (Path(path), Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
            _chmod(candidate, FILE_MODE)


def sqlite_file(database_uri: str | None) -> Path | None:
    """The file behind a sqlite:/// URI, or None for other databases and :memory:."""
    if not database_uri:
        return None
    from sqlalchemy.engine import make_url
    url = make_url(database_uri)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def _chmod(path: Path, mode: int) -> None:
    try:
        if path.is_symlink() or not path.exists():
            return
        info = path.stat()
        if info.st_uid == os.getuid() and (info.st_mode & 0o777) != mode:
            os.chmod(path, mode)
    except OSError:
        pass
