"""Request-body limits (fair.web.limits) and the per-connection message allowance (fair.web.ratelimit)."""
from __future__ import annotations

import time

from fair.core.models import Device
from fair.extensions import db


def _devices() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Device))


def test_a_form_of_300k_fields_is_refused_with_413_and_changes_nothing(organiser_client, fair):
    body = "kind=gate&name=Flood&" + "&".join(f"f{i}=" for i in range(300_000))   # ~2.9 MB
    before = _devices()
    started = time.perf_counter()
    response = organiser_client.post("/organiser/devices", data=body,
                                     content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert _devices() == before
    assert time.perf_counter() - started < 5   # generous: parsing all fields took 0.9 s on a quiet machine


def test_a_form_with_few_fields_but_a_huge_value_is_refused(organiser_client, fair):
    response = organiser_client.post("/organiser/devices", data="kind=gate&name=" + "x" * 400_000,
                                     content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert _devices() == 0


def test_an_ordinary_form_still_works(organiser_client, fair):
    response = organiser_client.post("/organiser/devices", data={"kind": "gate", "name": "Door 2"})
    assert response.status_code in (200, 302, 303)
    assert _devices() == 1


def test_a_json_body_over_the_limit_is_413_json(client, gate):
    response = client.post("/api/v1/checkins", data=b'{"code": "' + b"x" * (2 * 1024 * 1024) + b'"}',
                           headers={**gate.headers, "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json["error"] == "too_large"


def test_the_photo_upload_may_still_be_megabytes(client, gate):
    import io
    from PIL import Image
    noise = Image.effect_noise((1200, 1200), 100).convert("RGB")   # ~1.5 MB PNG, no code in it
    out = io.BytesIO()
    noise.save(out, format="PNG")
    assert len(out.getvalue()) > 1024 * 1024
    response = client.post("/api/v1/decode", data={"image": (io.BytesIO(out.getvalue()), "noise.png")},
                           headers=gate.headers, content_type="multipart/form-data")
    assert response.status_code == 200 and response.json["codes"] == []


def test_token_bucket_allows_the_burst_then_the_rate():
    from fair.web.ratelimit import TokenBuckets
    buckets = TokenBuckets()
    buckets.assign("c", rate=10.0, burst=5)
    assert all(buckets.take("c", (0, 0)) for _ in range(5))
    assert not buckets.take("c", (0, 0))
    time.sleep(0.25)   # 2.5 tokens back
    assert buckets.take("c", (0, 0)) and buckets.take("c", (0, 0))
    assert not buckets.take("c", (0, 0))


def test_token_bucket_emptied_never_refills_and_unknown_keys_get_the_default():
    from fair.web.ratelimit import TokenBuckets
    buckets = TokenBuckets()
    assert buckets.take("new", (0.0, 2)) and buckets.take("new", (0.0, 2))
    assert not buckets.take("new", (0.0, 2))
    buckets.assign("c", rate=1000.0, burst=10)
    buckets.empty("c")
    time.sleep(0.01)
    assert not buckets.take("c", (0, 0))


def _png(size=(64, 64), mode="L") -> bytes:
    import io
    from PIL import Image
    out = io.BytesIO()
    Image.new(mode, size, 255).save(out, format="PNG")
    return out.getvalue()


def test_decoding_a_bomb_is_a_413_json_error(client, gate):
    import io
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGBA", (6320, 6320), (255, 255, 255, 0)).save(out, format="PNG", optimize=True)
    response = client.post("/api/v1/decode", data={"image": (io.BytesIO(out.getvalue()), "bomb.png")},
                           headers=gate.headers, content_type="multipart/form-data")
    assert response.status_code == 413
    assert response.json["error"] == "too_large" and response.json["message"]


def test_photos_are_rate_limited_per_device(app, client, gate, booth_device):
    import io
    app.config["DECODE_PER_MINUTE"] = 2
    statuses = [client.post("/api/v1/decode", data={"image": (io.BytesIO(_png()), "p.png")},
                            headers=gate.headers, content_type="multipart/form-data").status_code
                for _ in range(3)]
    assert statuses == [200, 200, 429]
    other = client.post("/api/v1/decode", data={"image": (io.BytesIO(_png()), "p.png")},
                        headers=booth_device.headers, content_type="multipart/form-data")
    assert other.status_code == 200   # another device has its own allowance


def test_decode_slots_let_a_few_in_and_time_the_rest_out():
    import threading
    from fair.web.blocking import Busy, Slots
    slots = Slots(1)
    inside, leave = threading.Event(), threading.Event()

    def hold():
        with slots.taken(1):
            inside.set()
            leave.wait(5)
    holder = threading.Thread(target=hold)
    holder.start()
    assert inside.wait(5)
    try:
        import pytest
        with pytest.raises(Busy):
            with slots.taken(0.05):
                pass
    finally:
        leave.set()
        holder.join()
    with slots.taken(0.05):
        pass
