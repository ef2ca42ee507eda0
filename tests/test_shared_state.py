"""What several workers must share: rate limits (in Redis, per client behind a proxy), the secrets
(made once, read alike from the file and the environment), the stats leadership."""
from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from fair import config as fair_config, create_app
from fair.checkin import natid
from fair.extensions import db
from fair.web import cluster
from fair.web.limits import limiter
from fair.web.ratelimit import RateLimiter, SharedRateLimiter
from tests.served_workers import redis_available, redis_server

needs_redis = pytest.mark.skipif(not redis_available(), reason="redis-server is not installed "
                                 "(scripts/install-system-deps installs it)")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    if not redis_available():
        pytest.skip("redis-server is not installed")
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


def _app(folder: Path, **config):
    return create_app({"TESTING": True, "INSTANCE_PATH": str(folder / "instance"),
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'test.db'}", "ASYNC_MODE": "threading",
                       "SECRET_KEY": "test-secret", "NATIONAL_ID_KEY": b"k" * 32, "WTF_CSRF_ENABLED": False,
                       **config})


def _login(client, address: str | None = None) -> int:
    headers = {"X-Forwarded-For": address} if address else {}
    return client.post("/login", data={"username": "admin", "password": "wrong"}, headers=headers).status_code


# --- rate limits -------------------------------------------------------------------------------

@needs_redis
def test_two_workers_on_one_redis_count_a_phones_login_attempts_together(tmp_path, redis_url):
    a = _app(tmp_path / "a", RATE_LIMIT_STORAGE=redis_url)
    b = _app(tmp_path / "b", RATE_LIMIT_STORAGE=redis_url)
    for app in (a, b):
        with app.app_context():
            db.create_all()
    with a.app_context():
        assert isinstance(limiter(), SharedRateLimiter)
        limiter().reset()
    answers = [_login((a if i % 2 else b).test_client()) for i in range(12)]
    assert answers[:10] == [401] * 10        # ten attempts a minute in all, whichever worker
    assert answers[10:] == [429, 429]


def test_one_process_counts_in_memory(app):
    assert isinstance(limiter(), RateLimiter)


@needs_redis
def test_the_shared_limiter_uses_the_message_queue_redis_unless_told_otherwise(tmp_path, redis_url):
    app = _app(tmp_path, MESSAGE_QUEUE=redis_url)
    with app.app_context():
        assert isinstance(limiter(), SharedRateLimiter) and limiter().storage_uri == redis_url


def test_an_unreachable_limit_storage_allows_rather_than_locks_everyone_out():
    shared = SharedRateLimiter("redis://127.0.0.1:1/0")   # nothing listens on port 1
    assert shared.allow("login:10.0.0.1", 1) and shared.allow("login:10.0.0.1", 1)


def test_behind_a_trusted_proxy_each_phone_has_its_own_bucket(tmp_path):
    app = _app(tmp_path, TRUSTED_PROXIES=1)
    with app.app_context():
        db.create_all()
    client = app.test_client()
    assert [_login(client, "10.0.0.1") for _ in range(10)] == [401] * 10
    assert _login(client, "10.0.0.1") == 429
    assert _login(client, "10.0.0.2") == 401   # another phone behind the same proxy


def test_without_trusted_proxies_a_forwarded_for_header_is_ignored(tmp_path):
    app = _app(tmp_path)
    with app.app_context():
        db.create_all()
    client = app.test_client()
    assert [_login(client, f"10.0.0.{i}") for i in range(10)] == [401] * 10
    assert _login(client, "10.0.9.9") == 429   # a made-up address does not buy more attempts


# --- secrets ------------------------------------------------------------------------------------

def test_the_national_id_key_from_the_environment_hashes_as_the_file_does(tmp_path, monkeypatch):
    monkeypatch.delenv("FAIR_NATIONAL_ID_KEY", raising=False)
    first = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "one"), "ASYNC_MODE": "threading"})
    from_file = first.config["NATIONAL_ID_KEY"]
    monkeypatch.setenv("FAIR_NATIONAL_ID_KEY", (tmp_path / "one" / "national_id_key").read_text())
    second = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "two"), "ASYNC_MODE": "threading"})
    assert second.config["NATIONAL_ID_KEY"] == from_file
    assert not (tmp_path / "two" / "national_id_key").exists()   # the environment's key, none made
    number = "1101700203451"
    assert natid.hash_national_id(number, second.config["NATIONAL_ID_KEY"]) == \
        natid.hash_national_id(number, from_file)


def test_a_national_id_key_that_is_not_hex_is_refused_at_start(tmp_path, monkeypatch):
    monkeypatch.setenv("FAIR_NATIONAL_ID_KEY", "my passphrase")
    with pytest.raises(ValueError, match="hexadecimal"):
        create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "ASYNC_MODE": "threading"})


def _load(path: str, start, results) -> None:
    start.wait()
    results.put(fair_config.load_secret(Path(path)).hex())


def test_workers_starting_at_once_on_a_new_folder_agree_on_one_secret(tmp_path):
    path = tmp_path / "instance" / "secret_key"
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    processes = [context.Process(target=_load, args=(str(path), start, results)) for _ in range(6)]
    for process in processes:
        process.start()
    start.set()
    for process in processes:
        process.join(30)
    values = {results.get(timeout=5) for _ in processes}
    assert values == {path.read_text()} and len(path.read_text()) == 64
    assert path.stat().st_mode & 0o077 == 0
    assert sorted(os.listdir(path.parent)) == ["secret_key"]   # no candidate left behind


@needs_redis
def test_a_worker_with_other_secrets_than_the_first_refuses_to_serve(tmp_path, redis_url):
    import redis
    redis.Redis.from_url(redis_url).delete(cluster.SECRETS_KEY)
    first = _app(tmp_path / "a", MESSAGE_QUEUE=redis_url)
    same = _app(tmp_path / "b", MESSAGE_QUEUE=redis_url)
    other = _app(tmp_path / "c", MESSAGE_QUEUE=redis_url, SECRET_KEY="another")
    cluster.check_same_secrets(first)
    cluster.check_same_secrets(same)
    with pytest.raises(cluster.DifferentSecrets, match="FAIR_SECRET_KEY"):
        cluster.check_same_secrets(other)


# --- one stats leader ---------------------------------------------------------------------------

@needs_redis
def test_one_worker_is_the_stats_leader_and_counts_the_fairs_the_others_saw_change(tmp_path, redis_url):
    import redis
    redis.Redis.from_url(redis_url).delete(cluster.LEADER_KEY)
    app = _app(tmp_path, MESSAGE_QUEUE=redis_url)
    leader, other = cluster.Cluster(redis_url), cluster.Cluster(redis_url)
    assert leader.is_leader() and not other.is_leader()
    heard: list[bytes] = []
    pubsub = leader.redis().pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(cluster.CHANNEL)
    assert other.stats_to_compute({7}) == set()           # passed on, not counted here
    for _ in range(50):
        item = pubsub.get_message(timeout=0.1)
        if item is not None:
            heard.append(item["data"])
            break
    assert heard and leader.handle(app, heard[0])
    assert not leader.handle(app, heard[0].replace(other.host_id.encode(), leader.host_id.encode()))  # its own
    assert leader.stats_to_compute({3}) == {3, 7}
    leader.resign()
    other._leader_checked = -1e9
    assert other.is_leader()                               # the place is taken at the next renewal
    other.resign()


@needs_redis
@pytest.mark.slow
def test_a_worker_still_hears_the_others_after_a_quiet_spell(tmp_path, redis_url):
    """A quiet channel is no failure: the listener must not time out and miss what comes next."""
    import threading
    import time
    app = _app(tmp_path, MESSAGE_QUEUE=redis_url)
    listener, teller = cluster.Cluster(redis_url), cluster.Cluster(redis_url)
    retries: list[float] = []   # listen() sleeps only after losing its subscription
    threading.Thread(target=listener.listen, args=(app, retries.append), daemon=True).start()
    try:
        time.sleep(6.5)   # longer than the command connection's 5 s read timeout
        teller.tell("dirty", fairs=[42])
        deadline = time.monotonic() + 3
        while listener.received == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert listener.received == 1
        assert retries == [], "the subscription was dropped during a quiet spell"
    finally:
        listener.stop()
