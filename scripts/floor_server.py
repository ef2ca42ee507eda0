#!/usr/bin/env python
"""The floor for this stack: Flask-SocketIO + SQLite doing only what a scan must.

It accepts the same Socket.IO connections as `fair serve` (auth {"token"} or
{"card"} on /live), and for each `scan`: inserts one row (unique per device
and nonce, so a retry gets the first answer), commits, acks, and queues one
event that a background task emits to the rooms in batches at 4 Hz. No
signature check, no matching, no ORM: whatever `fair serve` costs above this
is the price of our own code. scripts/bench_realtime.py runs both under the
same load in the same run.

    python scripts/floor_server.py --db /tmp/floor.db --tokens tokens.json --port 5099 [--mode threading]

tokens.json maps each device token to {"kind": "gate"|"booth"|"dashboard", "booth": "A1"|null}.
"""
from __future__ import annotations

import argparse
import os
import sys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--tokens", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5099)
    parser.add_argument("--mode", choices=("eventlet", "threading"), default="eventlet")
    parser.add_argument("--interval", type=float, default=0.25)
    parser.add_argument("--synchronous", default="NORMAL", choices=("OFF", "NORMAL", "FULL"))
    parser.add_argument("--nodelay", action="store_true", help="TCP_NODELAY on accepted sockets (no Nagle delay)")
    args = parser.parse_args()
    if args.mode == "eventlet":
        import warnings
        warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
        import eventlet
        eventlet.monkey_patch()
        if args.nodelay:
            nodelay_listener()
    serve(args)


def nodelay_listener() -> None:
    """Accepted sockets inherit TCP_NODELAY from the listener on Linux: small acks go out at once."""
    import socket
    import eventlet
    listen = eventlet.listen

    def listen_nodelay(*args, **kwargs):
        sock = listen(*args, **kwargs)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    eventlet.listen = listen_nodelay


def serve(args) -> None:
    import json
    import sqlite3
    import threading
    from datetime import datetime, timezone

    from flask import Flask, request
    from flask_socketio import ConnectionRefusedError, SocketIO, join_room

    with open(args.tokens) as fh:
        tokens: dict[str, dict] = json.load(fh)

    app = Flask(__name__)
    socketio = SocketIO(app, async_mode=args.mode, max_http_buffer_size=1_000_000)
    ns = "/live"

    local = threading.local()

    def conn() -> sqlite3.Connection:
        # One connection per (green) thread, as a pooled ORM would hand out.
        c = getattr(local, "c", None)
        if c is None:
            c = sqlite3.connect(args.db, timeout=5, isolation_level=None, check_same_thread=False)
            c.execute("PRAGMA journal_mode=WAL")
            c.execute(f"PRAGMA synchronous={args.synchronous}")
            c.execute("PRAGMA busy_timeout=5000")
            local.c = c
        return c

    conn().execute("CREATE TABLE IF NOT EXISTS scan (id INTEGER PRIMARY KEY, device TEXT NOT NULL, "
                   "nonce TEXT NOT NULL, kind TEXT, code TEXT, at TEXT, UNIQUE (device, nonce))")

    devices: dict[str, dict] = {}
    pending: dict[str, list] = {}
    lock = threading.Lock()

    @socketio.on("connect", namespace=ns)
    def on_connect(auth=None):
        auth = auth if isinstance(auth, dict) else {}
        if isinstance(auth.get("card"), str):
            join_room("attendee:" + auth["card"].split(".")[0])
            return True
        token = auth.get("token")
        if token is None:
            join_room("public")
            return True
        device = tokens.get(token)
        if device is None:
            raise ConnectionRefusedError("invalid token")
        devices[request.sid] = {**device, "token": token[:12]}
        join_room({"gate": "gates", "booth": f"booth:{device.get('booth')}"}.get(device["kind"], "fair"))
        return True

    @socketio.on("disconnect", namespace=ns)
    def on_disconnect(*_):
        devices.pop(request.sid, None)

    @socketio.on("scan", namespace=ns)
    def on_scan(data):
        device = devices.get(request.sid)
        if device is None or not isinstance(data, dict) or not isinstance(data.get("nonce"), str):
            return {"error": "forbidden"}
        at = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        c = conn()
        try:
            cur = c.execute("INSERT INTO scan (device, nonce, kind, code, at) VALUES (?, ?, ?, ?, ?)",
                            (device["token"], data["nonce"], device["kind"], str(data.get("code"))[:512], at))
            row_id = cur.lastrowid
        except sqlite3.IntegrityError:  # a retry: answer as the first time
            row_id, at = c.execute("SELECT id, at FROM scan WHERE device = ? AND nonce = ?",
                                   (device["token"], data["nonce"])).fetchone()
        if device["kind"] == "booth":
            event = {"type": "lead", "id": row_id, "at": at, "booth": device.get("booth")}
            ack = {"status": "ok", "lead_id": row_id, "lead": {"updated_at": at}}
            rooms = ("fair", f"booth:{device.get('booth')}")
        else:
            event = {"type": "checkin", "id": row_id, "at": at, "status": "ok"}
            ack = {"status": "ok", "checkin_id": row_id}
            rooms = ("fair", "gates")
        with lock:
            for room in rooms:
                pending.setdefault(room, []).append(event)
        return ack

    def broadcaster() -> None:
        nonlocal pending
        count = 0
        while True:
            socketio.sleep(args.interval)
            with lock:
                batch, pending = pending, {}
            for room, events in batch.items():
                socketio.emit("events", events, to=room, namespace=ns)
            count += 1
            if batch:
                socketio.emit("stats", {"tick": count}, to="fair", namespace=ns)

    @app.get("/")
    def index():
        return "floor"

    socketio.start_background_task(broadcaster)
    print(f"floor server on http://{args.host}:{args.port}/ ({args.mode}, pid {os.getpid()})", flush=True)
    kwargs = {"allow_unsafe_werkzeug": True} if args.mode == "threading" else {}
    socketio.run(app, host=args.host, port=args.port, log_output=False, **kwargs)


if __name__ == "__main__":
    sys.exit(main())
