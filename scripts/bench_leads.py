#!/usr/bin/env python
"""Lead captures per second (service and socket), and the time from a scan on one booth phone
to its arrival on the booth's phones and on the dashboards.

    .venv/bin/python scripts/bench_leads.py --scans 2000 --rate 100 --duration 15
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_checkin  # noqa: E402

if __name__ == "__main__":
    bench_checkin.main("booth")
