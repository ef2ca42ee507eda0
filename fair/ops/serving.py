"""`fair serve`: port check, LAN addresses, the terminal banner, TLS for camera pages."""
from __future__ import annotations

import datetime as dt
import socket
import sys
from pathlib import Path

import click

from fair.web.lan import DEFAULT_PORT, SERVED_FILE, lan_addresses, served_address  # noqa: F401 (the CLI reads the last two here)


def check_port_free(host: str, port: int) -> None:
    """Raise OSError when the port is taken, before the server prints a traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def record_served(instance_path: str, host: str, port: int, use_https: bool) -> Path:
    """Write the served address to the instance folder (read by served_address)."""
    import json
    import os
    from fair.core import private_files
    path = Path(instance_path) / SERVED_FILE
    private_files.private_folder(path.parent)
    body = {"host": host, "port": port, "https": use_https, "pid": os.getpid(),
            "started_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    private_files.write_private(path, json.dumps(body).encode())
    return path


def next_steps(base: str, local: str) -> list[str]:
    """What the organiser does once the server runs, with this laptop's real addresses."""
    return [
        f"1. Sign in on this laptop: {local}login (user admin; a new password: `fair organiser password`)",
        f"2. Pair devices: {local}organiser/devices (or `fair device pair --gate \"Gate 1\"`; "
        f"booth phones: print {local}organiser/booths/pairing-sheets)",
        f"3. Registration poster for the entrance: {local}organiser/poster (phones register at {base}register)",
        f"4. Big screen: pair it as a dashboard device, or open {local}dashboard/screen here",
    ]

def print_banner(app, host: str, port: int, use_https: bool) -> None:
    import qrcode
    scheme = "https" if use_https else "http"
    addresses = lan_addresses() if host in ("0.0.0.0", "::") else [host]
    urls = [f"{scheme}://{a}:{port}/" for a in addresses] or [f"{scheme}://localhost:{port}/"]
    local = f"{scheme}://localhost:{port}/"
    click.secho(f"Serving the fair on {scheme}://{host}:{port}/", bold=True)
    for url in urls:
        click.echo(f"  phones on this network: {url}")
    click.echo(f"  this laptop:            {local}")
    click.secho("Next steps:", bold=True)
    for step in next_steps(urls[0], local):
        click.echo(f"  {step}")
    qr = qrcode.QRCode(border=1)
    qr.add_data(urls[0])
    qr.make(fit=True)
    if sys.stdout.isatty():
        qr.print_ascii(out=sys.stdout, invert=True)
    click.echo("A phone that cannot open the address: same Wi-Fi as this laptop? "
               f"Firewall open for TCP port {port}? (README: 'Phones cannot connect')")
    if use_https:
        click.echo(f"Staff phones: install this laptop's certificate from {urls[0]}ca (once).")


def ensure_tls(app, host: str) -> tuple[str, str]:
    """A CA and server certificate made once per laptop, kept in the instance folder."""
    from fair.ops import tls
    folder = Path(app.instance_path) / "tls"
    return tls.ensure_certificates(folder, lan_addresses() + ["127.0.0.1"], now=dt.datetime.now(dt.timezone.utc))


def run(app, host: str, port: int, ssl_files: tuple[str, str] | None) -> None:
    from fair.web import live
    from fair.extensions import socketio
    app.config["PORT"] = port
    app.config["HTTPS"] = ssl_files is not None
    record_served(app.instance_path, host, port, ssl_files is not None)
    if ssl_files is not None:
        # The organiser's cookie must never travel over plain http to the same host.
        app.config["SESSION_COOKIE_SECURE"] = True
    warm_up_before_listening(app)
    socketio.start_background_task(checkpoint_in_background, app)
    live.broadcaster(app).start(app, float(app.config["LIVE_BATCH_INTERVAL"]))
    if socketio.async_mode == "eventlet":
        _run_eventlet(app, host, port, ssl_files)
    elif socketio.async_mode == "gevent":
        _run_gevent(app, socketio, host, port, ssl_files)
    else:
        # Flask refuses app.run() from inside its own CLI unless told this is deliberate.
        import os
        os.environ.pop("FLASK_RUN_FROM_CLI", None)
        kwargs = {"certfile": ssl_files[0], "keyfile": ssl_files[1]} if ssl_files else {}
        if socketio.async_mode == "threading":
            kwargs["allow_unsafe_werkzeug"] = True   # Werkzeug's server: threading mode only
        socketio.run(app, host=host, port=port, log_output=False, **kwargs)


def warm_up_before_listening(app) -> float:
    """Warm up (warm_up) before the port opens, saying so on the console; returns the seconds.

    A worker that listened first and warmed in a green thread held the eventlet
    hub for seconds right after it started (longer on a loaded machine): phones
    that a proxy sent to a restarted worker, and its health checks, waited
    unanswered. Not listening yet, the worker gets no phones: HAProxy's health
    check keeps them on the other workers until it answers, and then it answers
    at once (scripts/bench_warm_start.py; BENCHMARKS.md, "Several workers").
    """
    import time
    click.echo("Warming up the matcher and the title classifier before accepting connections ...")
    started = time.perf_counter()
    warm_up(app)
    seconds = time.perf_counter() - started
    click.echo(f"Warm in {seconds:.1f} s; accepting connections now.")
    return seconds


def warm_up(app) -> None:
    """Build what the first scans would otherwise wait for, then hide it from the GC.

    The Thai dictionary and vocabulary matcher (about 0.6 s), the fair's job
    index, the pool of people inside and the ISCO-08 title classifier (about
    2 s) and the embedding model, in the main thread before the server listens
    (warm_up_before_listening). Not in a real thread: the matcher and PyThaiNLP
    guard their lazy builds with locks, which eventlet makes green, and a green
    lock held by a real thread can leave a green waiter asleep for good (a load
    run once saw a server that was up and answered nothing; BENCHMARKS.md).
    Then gc.freeze(): the ~1 million long-lived objects built so far made
    every full collection a 225 ms stall for every connected phone.
    """
    import gc
    from fair.extensions import db
    from fair.core.fairs import current_fair
    from fair.matching import services as matching, text
    try:
        text.matcher()
        with app.app_context():
            fair = current_fair()
            if fair is not None:
                matching.pool_of(fair.id)
            db.session.remove()
        # Registrations and the classify API need them: better now than at the first registration.
        matching.warm_occupations()
    except Exception:  # a warm-up failure only costs the first scans the time
        app.logger.exception("warming the matcher and the matching index failed")
    gc.freeze()


CHECKPOINT_EVERY_SECONDS = 0.5


def checkpoint_in_background(app) -> None:
    """Copy SQLite's WAL back into the database from a real thread, twice a second.

    Left to SQLite, the commit that crosses the WAL limit does the copy and its
    fsyncs itself, and under eventlet that stalls every phone. sqlite3 releases
    the GIL while it works, so here the copy runs beside the event loop, on the
    other core. PASSIVE never blocks a writer or a reader.
    """
    import sqlite3
    from fair.web.blocking import run_blocking
    from fair.extensions import db, socketio
    with app.app_context():
        url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return
    connection = sqlite3.connect(url.database, timeout=5, check_same_thread=False)

    def checkpoint() -> None:
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()

    while True:
        socketio.sleep(CHECKPOINT_EVERY_SECONDS)
        try:
            run_blocking(checkpoint)
        except sqlite3.Error:  # busy or locked now: the next round catches up
            app.logger.warning("WAL checkpoint skipped", exc_info=True)


def make_psycopg_green() -> bool:
    """Under eventlet: psycopg 3 waits for PostgreSQL through the selectors module, which
    eventlet.monkey_patch() made green, so a query lets the other green threads run.

    By default psycopg 3 waits in C (waiting.wait_c, poll() unseen by eventlet; it
    detects gevent's patching, not eventlet's): every query then froze the whole
    server (4 × pg_sleep(0.5) in four green threads: 2.0 s; with this, 0.5 s:
    scripts/bench_green_postgres.py). fair.entry also sets PSYCOPG_WAIT_FUNC, which
    psycopg reads when imported; this covers a psycopg imported before.
    False when psycopg is not installed (SQLite only).
    """
    try:
        from psycopg import waiting
    except ImportError:
        return False
    import selectors
    waiting.DefaultSelector = selectors.DefaultSelector  # the patched one, had psycopg come first
    waiting.wait = waiting.wait_selector
    return True


def _run_eventlet(app, host: str, port: int, ssl_files: tuple[str, str] | None) -> None:
    """What socketio.run() does under eventlet, plus TCP_NODELAY on the listener.

    Acks are small writes: with Nagle's algorithm on they wait for the
    client's delayed ACK (measured: pipelined ack p50 10.7 ms → 1.7 ms).
    Linux passes the option on to every accepted connection.
    """
    import eventlet
    import eventlet.wsgi
    make_psycopg_green()
    listener = eventlet.listen((host, port))
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if ssl_files:
        listener = eventlet.wrap_ssl(listener, certfile=ssl_files[0], keyfile=ssl_files[1], server_side=True)
    cap = int(app.config["MAX_CONNECTIONS"])
    allow_open_files(cap + 100)  # the database, the logs, the refusals in flight
    eventlet.wsgi.server(listener, app, log_output=False, custom_pool=refusing_pool(cap),
                         socket_timeout=float(app.config["SOCKET_TIMEOUT"]),
                         keepalive=float(app.config["KEEPALIVE_TIMEOUT"]))


def _run_gevent(app, socketio, host: str, port: int, ssl_files: tuple[str, str] | None) -> None:
    """What socketio.run() does under gevent (pywsgi, websockets through simple-websocket), plus
    TCP_NODELAY on the listener as under eventlet. No connection cap here (MAX_CONNECTIONS is
    eventlet's RefusingPool): gevent is the measured alternative, not the default."""
    from gevent import pywsgi
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)   # gevent's: the module is patched
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener.bind((host, port))
    listener.listen(1024)
    allow_open_files(int(app.config["MAX_CONNECTIONS"]) + 100)
    kwargs = {"certfile": ssl_files[0], "keyfile": ssl_files[1]} if ssl_files else {}
    socketio.wsgi_server = pywsgi.WSGIServer(listener, app, log=None, **kwargs)   # socketio.stop() uses it
    socketio.wsgi_server.serve_forever()


BUSY_ANSWER = (b"HTTP/1.1 503 Service Unavailable\r\n"
               b"Content-Type: application/json\r\n"
               b"Retry-After: 5\r\n"
               b"Connection: close\r\n"
               b"Content-Length: %d\r\n\r\n")
BUSY_BODY = b'{"error": "server_busy", "message": "The server has too many connections; try again in a few seconds."}'
# Refusals in flight at once; past that a new connection is closed without an answer.
REFUSALS_AT_ONCE = 64
REFUSAL_SECONDS = 1.0


def _refusing_pool_class():
    import eventlet

    class RefusingPool(eventlet.GreenPool):
        """eventlet.wsgi's pool of connections, which refuses a connection past its size.

        eventlet's own pool makes the accept loop wait for a free slot: new phones
        queue unseen in the kernel's backlog while the server looks dead. Here a
        connection past the cap gets a 503 "server busy" answer and is closed.
        """

        def __init__(self, size: int) -> None:
            super().__init__(size)
            self.refused = 0
            self._refusals = eventlet.GreenPool(REFUSALS_AT_ONCE)

        def spawn(self, function, *args, **kwargs):
            if self.free() > 0:
                return super().spawn(function, *args, **kwargs)
            self.refused += 1
            connection = args[0]   # eventlet.wsgi's [address, socket, state]
            if self._refusals.free() > 0:
                return self._refusals.spawn(refuse_busy, connection[1])
            return self._refusals.spawn(lambda: None)   # even the refusals are full: just close

    return RefusingPool


def refuse_busy(client: socket.socket) -> None:
    """Answer 503 to a connection over the cap (eventlet.wsgi closes it afterwards)."""
    client.settimeout(REFUSAL_SECONDS)
    try:
        # Read what the client sent first: closing on unread data resets the
        # connection, and the client might never see the answer.
        client.recv(8192)
        client.sendall(BUSY_ANSWER % len(BUSY_BODY) + BUSY_BODY)
    except OSError:
        pass


def refusing_pool(size: int):
    """A RefusingPool of `size` connections (eventlet imported only by `fair serve`)."""
    return _refusing_pool_class()(size)


def allow_open_files(wanted: int) -> None:
    """Raise the soft limit on open files towards `wanted` (up to the hard limit)."""
    try:
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        if soft != resource.RLIM_INFINITY and soft < target:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ImportError, ValueError, OSError):
        pass
