"""POST /api/v1/checkins, the socket `scan`, and POST /api/v1/decode, over the wire."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from fair.web import live
from fair.checkin import cards
from fair.checkin.models import CheckIn
from fair.extensions import db
from tests import factories


def checkins() -> int:
    return db.session.scalar(db.select(db.func.count(CheckIn.id)))


def post_scan(client, device, **body):
    return client.post("/api/v1/checkins", json=body, headers=device.headers)


def without_recommendations(answer: dict) -> dict:
    # Recommendations are computed for a fresh "ok" only, not stored with the scan.
    return {k: v for k, v in answer.items() if k != "recommendations"}


def test_a_gate_checks_in_over_http(client, gate, attendee_token):
    response = post_scan(client, gate, code=attendee_token, nonce="n1", type="entry")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["attendee"]["ref"] == "A1"
    assert isinstance(response.json["checkin_id"], int)


def test_http_answers_every_movement(client, gate, attendee_token):
    statuses = [post_scan(client, gate, code=attendee_token, nonce=f"n{i}", type=kind).json["status"]
                for i, kind in enumerate(["entry", "entry", "exit", "exit"])]
    assert statuses == ["ok", "already_inside", "exit_recorded", "not_inside"]


def test_already_inside_carries_the_first_entry_time(client, gate, attendee_token):
    post_scan(client, gate, code=attendee_token, nonce="n1")
    body = post_scan(client, gate, code=attendee_token, nonce="n2").json
    assert body["status"] == "already_inside"
    assert body["first_checkin_at"].endswith("Z")


def test_rejected_codes_answer_200_with_their_status(client, gate, attendee, attendee_token):
    other_private, _ = cards.generate_signing_key()
    assert post_scan(client, gate, code="nonsense", nonce="n1").json["status"] == "unknown"
    assert post_scan(client, gate, code=cards.make_token(other_private, 1), nonce="n2").json["status"] == "wrong_fair"
    forged = attendee_token[:70] + ("A" if attendee_token[70] != "A" else "B") + attendee_token[71:]
    assert post_scan(client, gate, code=forged, nonce="n3").json["status"] == "invalid_signature"


def test_a_replayed_nonce_gets_the_first_answer(client, gate, attendee_token):
    first = post_scan(client, gate, code=attendee_token, nonce="same", scanned_at="2020-01-01T00:00:00Z")
    assert first.status_code == 400  # a week-old clock is refused before anything is stored
    first = post_scan(client, gate, code=attendee_token, nonce="same")
    again = post_scan(client, gate, code=attendee_token, nonce="same")
    assert without_recommendations(again.json) == without_recommendations(first.json)
    assert checkins() == 1


@pytest.mark.parametrize("body", [
    {"nonce": "n1"},                                        # no code
    {"code": "x"},                                          # no nonce
    {"code": 12345, "nonce": "n1"},                         # code not text
    {"code": "x", "nonce": ["n1"]},                         # nonce not text
    {"code": "x" * 5000, "nonce": "n1"},                    # huge code
    {"code": "x", "nonce": "n" * 65},                       # huge nonce
    {"code": "x", "nonce": "n1", "type": "sideways"},       # unknown type
    {"code": "x", "nonce": "n1", "scanned_at": "yesterday"},
    {"code": "x", "nonce": "n1", "scanned_at": 1700000000},
    ["code", "nonce"],                                      # not an object
])
def test_bad_bodies_are_400_json_and_store_nothing(client, gate, body):
    response = client.post("/api/v1/checkins", json=body, headers=gate.headers)
    assert response.status_code == 400
    assert response.json["error"] == "invalid_input"
    assert response.json["message"]
    assert checkins() == 0


def test_a_body_that_is_not_json_is_400(client, gate):
    response = client.post("/api/v1/checkins", data="code=x&nonce=y", headers=gate.headers,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.json["error"] == "invalid_input"
    assert checkins() == 0


def test_only_gates_may_check_in(client, booth_device, dashboard_device, attendee_token):
    for device in (booth_device, dashboard_device):
        response = post_scan(client, device, code=attendee_token, nonce="n1")
        assert response.status_code == 403
        assert response.json["error"] == "forbidden"
    assert client.post("/api/v1/checkins", json={"code": "x", "nonce": "n"}).status_code == 401
    assert checkins() == 0


def test_a_gate_token_cannot_call_booth_or_organiser_endpoints(client, gate, booth):
    assert client.post(f"/api/v1/booths/{booth.code}/scans", json={"code": "x", "nonce": "n"},
                       headers=gate.headers).status_code == 403
    assert client.get("/api/v1/stats", headers=gate.headers).status_code == 403


# --- the socket --------------------------------------------------------------------------

def test_socket_scan_answers_like_http_and_reaches_the_dashboards(client, live_client, gate, dashboard_device,
                                                                   attendee_token):
    phone = live_client(gate.token)
    screen = live_client(dashboard_device.token)
    ack = phone.emit("scan", {"code": attendee_token, "nonce": "s1", "type": "entry"},
                     namespace=live.NAMESPACE, callback=True)
    assert ack["status"] == "ok"
    # The HTTP replay of the same scan (an offline queue) gets the very same answer.
    replay = post_scan(client, gate, code=attendee_token, nonce="s1").json
    assert without_recommendations(replay) == without_recommendations(ack)
    # And a new scan of the same card gets the same answer whichever way it goes.
    via_socket = phone.emit("scan", {"code": attendee_token, "nonce": "s2"}, namespace=live.NAMESPACE,
                            callback=True)
    via_http = post_scan(client, gate, code=attendee_token, nonce="s3").json
    assert via_socket["status"] == via_http["status"] == "already_inside"
    live.flush()
    events = [e for m in screen.get_received(live.NAMESPACE) if m["name"] == "events" for e in m["args"][0]]
    checkin_events = [e for e in events if e["type"] == "checkin"]
    assert [e["id"] for e in checkin_events] == [ack["checkin_id"], via_socket["checkin_id"], via_http["checkin_id"]]
    assert checkin_events[0]["status"] == "ok"


def test_socket_scan_with_a_bad_body_answers_an_error_and_stores_nothing(live_client, gate):
    phone = live_client(gate.token)
    ack = phone.emit("scan", {"code": 5}, namespace=live.NAMESPACE, callback=True)
    assert ack["error"] == "invalid_input"
    assert checkins() == 0


def test_a_booth_socket_cannot_check_in(live_client, booth_device, attendee_token):
    phone = live_client(booth_device.token)
    phone.emit("scan", {"code": attendee_token, "nonce": "b1", "type": "entry"}, namespace=live.NAMESPACE,
               callback=True)
    assert checkins() == 0


# --- decoding photos ---------------------------------------------------------------------

def test_decode_reads_a_real_card_qr(client, gate, attendee_token):
    png = cards.qr_png(attendee_token, box_size=6)
    response = client.post("/api/v1/decode", data={"image": (io.BytesIO(png), "card.png")},
                           headers=gate.headers, content_type="multipart/form-data")
    assert response.status_code == 200
    assert response.json["codes"] == [attendee_token]


def test_decode_refuses_a_file_that_is_not_an_image(client, gate):
    response = client.post("/api/v1/decode", data={"image": (io.BytesIO(b"%PDF-1.4 not a photo"), "x.pdf")},
                           headers=gate.headers, content_type="multipart/form-data")
    assert response.status_code == 400
    assert response.json["error"] == "not_an_image"


def test_decode_refuses_an_oversized_file(app, client, gate):
    app.config["DECODE_MAX_BYTES"] = 10_000
    noise = Image.effect_noise((400, 400), 100).convert("RGB")
    out = io.BytesIO()
    noise.save(out, format="PNG")
    assert len(out.getvalue()) > 10_000
    response = client.post("/api/v1/decode", data={"image": (io.BytesIO(out.getvalue()), "big.png")},
                           headers=gate.headers, content_type="multipart/form-data")
    assert response.status_code == 413
    assert response.json["error"] == "too_large"


def test_decode_without_an_image_field_is_400(client, gate):
    response = client.post("/api/v1/decode", data={}, headers=gate.headers, content_type="multipart/form-data")
    assert response.status_code == 400
