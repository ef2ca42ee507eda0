"""Writing imported rows: per-batch hooks inside the one transaction, and the progress bar."""
from __future__ import annotations

import io
import re

import pytest
from tqdm import tqdm

from fair.checkin.models import Attendee
from fair.extensions import db
from fair.loading import store


def attendees_file(n: int) -> bytes:
    lines = ["attendee_ref,first_name,desired_positions"]
    lines += [f"A{i:03d},Person {i},{'Cook' if i % 2 else 'พนักงานขับรถยก'}" for i in range(n)]
    return ("\n".join(lines) + "\n").encode("utf-8")


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as stderr is in an organiser's shell."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(store, "BATCH_SIZE", 3)


def test_on_batch_is_called_once_per_batch_with_the_flushed_rows(app, fair, small_batches):
    seen = []

    def hook(kind, objects):
        seen.append((kind, [a.ref for a in objects], all(a.id is not None for a in objects),
                     all(a.isco08 is not None for a in objects)))

    report = store.import_file("attendees", attendees_file(7), on_batch=[hook])
    assert report.created == 7
    assert [(kind, len(refs)) for kind, refs, _, _ in seen] == [("attendees", 3), ("attendees", 3), ("attendees", 1)]
    assert [ref for _, refs, _, _ in seen for ref in refs] == [f"A{i:03d}" for i in range(7)]
    # Each batch is flushed (ids set) and already classified when the hook runs.
    assert all(flushed and classified for _, _, flushed, classified in seen)


def test_a_hook_that_fails_rolls_the_whole_import_back(app, fair, small_batches):
    calls = []

    def failing(kind, objects):
        calls.append(len(objects))
        if len(calls) == 2:
            raise RuntimeError("enrichment failed")

    with pytest.raises(RuntimeError):
        store.import_file("attendees", attendees_file(7), on_batch=[failing])
    assert calls == [3, 3]
    assert db.session.scalar(db.select(db.func.count()).select_from(Attendee)) == 0


def test_progress_bar_is_drawn_on_a_terminal(app, fair, small_batches, monkeypatch):
    def unthrottled(*args, **kwargs):  # every update drawn (the real bar redraws at most 5 times a second)
        return tqdm(*args, **{**kwargs, "mininterval": 0, "miniters": 1})
    monkeypatch.setattr(store, "tqdm", unthrottled)
    terminal = Terminal()
    store.import_file("attendees", attendees_file(7), progress=terminal)
    drawn = terminal.getvalue()
    assert "importing attendees" in drawn
    assert [int(n) for n in re.findall(r"\| (\d)/7 ", drawn)][:4] == [0, 3, 6, 7]  # once per batch


def test_no_progress_bar_when_the_stream_is_not_a_terminal(app, fair, small_batches):
    piped = io.StringIO()  # stderr redirected to a file or a pipe
    report = store.import_file("attendees", attendees_file(7), progress=piped)
    assert report.created == 7
    assert piped.getvalue() == ""
