"""Where phones reach this laptop: its addresses on the venue network (plain sockets, no Flask)."""
from __future__ import annotations

import ipaddress
import json
import os
import socket
from pathlib import Path

DEFAULT_PORT = 5000
# Where `fair serve` writes the address it listens on, so that `fair device pair`
# (another process, later) prints links with the port phones will really reach.
SERVED_FILE = "serve.json"


def lan_addresses() -> list[str]:
    """This laptop's IPv4 addresses that phones on the venue Wi-Fi can reach."""
    found: list[str] = []
    try:
        import fcntl
        import struct
        for _index, name in socket.if_nameindex():
            if name == "lo":
                continue
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                try:
                    packed = fcntl.ioctl(s.fileno(), 0x8915,  # SIOCGIFADDR
                                         struct.pack("256s", name[:15].encode()))
                except OSError:
                    continue
                found.append(socket.inet_ntoa(packed[20:24]))
    except (ImportError, OSError):
        pass
    if not found:
        try:
            found = sorted({info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)})
        except OSError:
            found = []
    usable = [a for a in found if not ipaddress.ip_address(a).is_loopback]
    # Private addresses first: that is the venue network.
    return sorted(usable, key=lambda a: (not ipaddress.ip_address(a).is_private, a))


def served_address(instance_path: str) -> dict | None:
    """What the last `fair serve` of this instance recorded: {"port", "https", "running", ...}, or None."""
    try:
        body = json.loads((Path(instance_path) / SERVED_FILE).read_text())
        port = int(body["port"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    running = False
    try:
        pid = int(body.get("pid") or 0)
        if pid > 0:
            os.kill(pid, 0)   # signal 0: is it still there?
            running = True
    except (OSError, ValueError, TypeError):
        running = False
    return {**body, "port": port, "https": bool(body.get("https")), "running": running}
