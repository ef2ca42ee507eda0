"""The OpenAPI document lists every API route the app serves."""
from __future__ import annotations

import re


def test_every_api_route_is_documented(app, client):
    spec = client.get("/api/v1/openapi.json").json
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule.endswith("openapi.json"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            served.add((path, method.lower()))
    assert served - documented == set(), "routes missing from the OpenAPI document"
    assert documented - served == set(), "documented routes the app does not serve"


def test_documented_statuses_match_the_services(client):
    from fair.checkin.models import CHECKIN_STATUSES
    spec = client.get("/api/v1/openapi.json").json
    statuses = spec["components"]["schemas"]["CheckInResult"]["properties"]["status"]["enum"]
    assert statuses == list(CHECKIN_STATUSES)
    assert spec["openapi"].startswith("3.")
