"""POST /api/v1/occupations/classify, and the ISCO-08 code carried by the job API and exports."""
from __future__ import annotations

import csv
import io

import pytest

from fair.matching import services as matching
from tests import factories

URL = "/api/v1/occupations/classify"


def post(client, device, body):
    return client.post(URL, json=body, headers=device.headers)


def test_classify_answers_one_result_per_title_in_order(client, api_device):
    response = post(client, api_device, {"titles": ["Forklift driver", "พนักงานขับรถยก ด่วน", "zzqx"]})
    assert response.status_code == 200
    results = response.json["results"]
    assert [r["title"] for r in results] == ["Forklift driver", "พนักงานขับรถยก ด่วน", "zzqx"]
    assert [r["isco08"] for r in results] == ["8344", "8344", None]
    first = results[0]
    assert first["label_en"] == "Lifting truck operators" and first["label_th"]
    assert 0 < first["confidence"] <= 1
    assert {"title", "isco08", "label_en", "label_th", "confidence"} <= set(results[2])


def test_the_organiser_may_classify_too(organiser_client):
    response = organiser_client.post(URL, json={"titles": ["Cook"]})  # CSRF is off in the test app
    assert response.status_code == 200, response.json
    assert response.json["results"][0]["isco08"] == "5120"


@pytest.mark.parametrize("body", [
    {}, {"titles": []}, {"titles": "Cook"}, {"titles": ["Cook", ""]}, {"titles": ["  "]}, {"titles": [3]},
    {"titles": ["x" * 201]}, {"titles": ["Cook"] * 501}, ["Cook"], {"titles": ["a\x00b"]},
])
def test_bad_requests_are_refused_with_a_message(client, api_device, body):
    response = post(client, api_device, body)
    assert response.status_code == 400
    assert response.json["error"] and response.json["message"]


def test_500_titles_are_accepted(client, api_device):
    response = post(client, api_device, {"titles": [f"cook {n}" for n in range(500)]})
    assert response.status_code == 200 and len(response.json["results"]) == 500


def test_booths_gates_and_strangers_may_not_classify(client, booth_device, gate):
    assert post(client, booth_device, {"titles": ["Cook"]}).status_code == 403
    assert post(client, gate, {"titles": ["Cook"]}).status_code == 403
    assert client.post(URL, json={"titles": ["Cook"]}).status_code == 401


def test_recommendations_carry_the_jobs_and_the_attendees_codes(client, api_device, fair):
    employer = factories.make_employer(fair, ref="E9", booth_code="B9")
    job = factories.make_job(employer, ref="J9", title="Forklift driver")
    person = factories.make_attendee(fair, ref="A9", desired_positions=["พนักงานขับรถยก"], skills=["forklift"])
    matching.store_occupations([job, person])
    from fair.extensions import db
    db.session.commit()
    matching.invalidate(fair.id)
    response = client.get("/api/v1/attendees/A9/recommendations?lang=en", headers=api_device.headers)
    assert response.status_code == 200
    assert response.json["attendee"]["isco08"] == "8344"
    first = response.json["recommendations"][0]
    assert first["job_ref"] == "J9" and first["isco08"] == "8344"
    # The strongest position reason is named: here the vocabulary's own occupation.
    assert any(r.startswith(("the position asked for", "same occupation", "probably the same occupation"))
               or r == "similar title" for r in first["reasons"]), first["reasons"]


def test_attendee_export_has_the_isco08_column(app, fair):
    from fair.organiser import exports
    person = factories.make_attendee(fair, ref="A7", desired_positions=["Cook"])
    matching.store_occupations([person])
    data, _ = exports.export_bytes("attendees", "csv", None, actor="test")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0]["isco08"] == "5120"
