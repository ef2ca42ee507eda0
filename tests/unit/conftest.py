"""Unit tests of the pure modules (fair.matching.text/scoring/ranking/occupations, fair.checkin.cards,
natid, decode and search, fair.core.disclosure, reference and timeutil, fair.loading.importing and demo).

They run without an app or a database: the app fixtures of tests/conftest.py are refused here, so a
test that needs one fails at once with where it belongs (tests/, beside the area it exercises).
"""
from __future__ import annotations

import pytest


def _refuse(request) -> None:
    pytest.fail(f"{request.node.nodeid} asks for {request.fixturename!r}: unit tests run without an app "
                "or a database; a test that needs one belongs in tests/, not tests/unit/", pytrace=False)


@pytest.fixture
def app(request):
    _refuse(request)


@pytest.fixture(scope="session")
def schema_template(request):
    _refuse(request)
