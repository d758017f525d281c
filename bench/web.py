"""The web console's inbox: time to first byte of GET /inbox (first page of 25) with 10,000
alerts held, p50 and p95 over 200 requests; beside it, in the same run, the bare Operator
ListAlerts call for the same page (the machine's own floor for it: the console adds sessions,
templates and its own HTTP on top). Goal: p95 under 100 ms.

A real node process and a real `exchange web` process on 127.0.0.1 (SQLite). The 10,000
alerts are written into the node's store directly, as received from kg (listing reads only the
store; delivering 10,000 alerts over the wire is bench/ingest.py's subject).

Run: .venv/bin/python bench/web.py [--alerts 10000] [--requests 200] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import httpx
import uuid6

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from exchange._proto.v1 import alert_pb2, operator_pb2, operator_pb2_grpc, user_ops_pb2
from exchange.localregion import LocalRegion
from exchange.store.db import Database
from exchange.store.models import AlertHead, AlertVersion

PASSWORD = "bench password, long enough"


def hold_alerts(db_url: str, n: int) -> None:
    db = Database(db_url)
    now = datetime.now(UTC)
    try:
        for start in range(0, n, 1000):
            with db.write() as s:
                for i in range(start, min(n, start + 1000)):
                    aid = str(uuid6.uuid7())
                    at = now - timedelta(seconds=n - i)
                    a = alert_pb2.Alert(
                        alert_id=aid, version=1, origin="kg", category=1 + i % 10,
                        risk=1 + i % 4, handling=1 + i % 4, summary=f"Bench alert number {i}",
                    )  # fmt: skip
                    a.issued_at.FromDatetime(at)
                    s.add(AlertVersion(origin="kg", alert_id=aid, version=1, withdrawn=False,
                                       body=a.SerializeToString(), stored_at=at))  # fmt: skip
                    s.add(AlertHead(origin="kg", alert_id=aid, version=1, withdrawn=False,
                                    category=a.category, risk=a.risk, updated_at=at))  # fmt: skip
    finally:
        db.close()


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(args: argparse.Namespace) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="exw-"))
    region: LocalRegion | None = None
    web: subprocess.Popen[bytes] | None = None
    try:
        region = LocalRegion(root, ("kz", "kg"))
        region.start()
        kz = region["kz"]
        hold_alerts(kz.config().db_url, args.alerts)
        kz.cli("users", "add", "admin", "--role", "administrator")
        tok = root / "admin.token"
        kz.cli("users", "token", "admin", "--out", str(tok))
        env = {"EXCHANGE_TOKEN_FILE": str(tok)}
        kz.cli("users", "add", "timur", "--role", "officer", env=env)
        subprocess.run(
            [sys.executable, "-m", "exchange", "users", "password", "timur", "--stdin",
             "--config", str(kz.config_path)],
            input=PASSWORD.encode(), env={**os.environ, **env}, check=True, capture_output=True,
        )  # fmt: skip
        port = free_port()
        log = (root / "web.log").open("wb")
        web = subprocess.Popen(
            [sys.executable, "-m", "exchange", "web", "--config", str(kz.config_path),
             "--listen", f"127.0.0.1:{port}"],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=url, timeout=30) as c:
            for _ in range(300):
                try:
                    if c.get("/signin").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            page = c.get("/signin").text
            csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
            r = c.post("/signin", data={"csrf": csrf, "name": "timur", "password": PASSWORD})
            assert r.status_code == 303, r.text[:300]
            for _ in range(10):  # warm-up
                c.get("/inbox")
            ttfb = []
            for i in range(args.requests):
                t = time.perf_counter()
                with c.stream("GET", f"/inbox?page={1 + i % 3}") as resp:
                    ttfb.append(time.perf_counter() - t)
                    assert resp.status_code == 200
                    resp.read()
        # the bare call, with an officer's token from the same sign-in path
        ch = grpc.insecure_channel(f"unix:{kz.config().socket_path}")
        stub = operator_pb2_grpc.OperatorStub(ch)
        got = stub.SignIn(user_ops_pb2.SignInRequest(name="timur", password=PASSWORD, source="b"))
        meta = (("x-exchange-token", got.token),)
        bare = []
        for i in range(args.requests):
            t = time.perf_counter()
            stub.ListAlerts(
                operator_pb2.ListAlertsRequest(limit=25, offset=25 * (i % 3)), metadata=meta
            )
            bare.append(time.perf_counter() - t)
        ch.close()
        return {
            "alerts": args.alerts,
            "requests": args.requests,
            "inbox_ttfb_p50_ms": round(statistics.median(ttfb) * 1000, 1),
            "inbox_ttfb_p95_ms": round(pct(ttfb, 95) * 1000, 1),
            "listalerts_p50_ms": round(statistics.median(bare) * 1000, 1),
            "listalerts_p95_ms": round(pct(bare, 95) * 1000, 1),
            "cpus": os.cpu_count(),
        }
    finally:
        if web is not None:
            web.terminate()
            web.wait(10)
        if region is not None:
            region.stop()
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--alerts", type=int, default=10_000)
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if not 1 <= args.requests <= 5000 or not 0 <= args.alerts <= 200_000:
        p.error("--requests 1-5000, --alerts 0-200000")
    r = run(args)
    if args.json:
        print(json.dumps(r))
        return 0
    print(
        f"web inbox with {r['alerts']} alerts held: time to first byte p50 "
        f"{r['inbox_ttfb_p50_ms']} ms, p95 {r['inbox_ttfb_p95_ms']} ms over {r['requests']} "
        "requests (goal p95 < 100 ms)"
    )
    print(
        f"  machine floor, bare Operator ListAlerts (page of 25): p50 {r['listalerts_p50_ms']} ms, "
        f"p95 {r['listalerts_p95_ms']} ms ({r['cpus']} CPUs, shared)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
