"""API benchmark: read endpoints of ``ballast serve`` under 50 concurrent clients.

The book (not timed): the demo book (sample prices, generated households of one to four
accounts, the demo models) with about ``--accounts`` accounts, a rebalance run of every account
checked against the sample firm rules, and a viewer with an API token; ``--db PATH`` builds it
once and reuses it after. The server: ``python -m ballast serve`` on 127.0.0.1 in a subprocess
(``--workers N`` processes; two by default, one per core of the 2-core machine the target is
set for), its JSON logs to a file. A warm-up, not measured,
sends rounds of concurrent requests until one round is answered within a second (the first
overview of each worker values the whole book). Then ``--clients`` clients (one keep-alive
HTTP/1.1 connection each, :mod:`http1` on uvloop, no think time) each send requests back to
back for ``--seconds``, cycling through the dashboard's read endpoints: the overview, an
account page (a random account: value, positions, lots, its proposal and trades) and a page of
50 proposals of the run with their approval state (a random page). Latency is measured per
request from send to full body; an error is any answer but 200 or a failed request.

Prints one JSON line: accounts, clients, workers, requests, p50_ms, p99_ms, errors, requests
per second, the p99 of each endpoint, the CPU time per request of the server (its processes)
and of the clients (this process) — with every client always waiting, latency is about
clients ÷ throughput, and throughput the CPU both get ÷ their CPU per request — and the load
average at the end (other work on the machine takes CPU from both). Target (issue 9): p99 at
most 100 ms, zero errors. docs/api.md (Performance) has the figures measured and how to deploy.

    python benchmarks/api.py [--accounts N] [--clients N] [--seconds S] [--workers N] [--db PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httptools
import numpy as np
import uvloop

from ballast.engine import approvals, check, rebalance, users
from ballast.engine.demo import load_demo
from ballast.engine.workspace import open_store
from ballast.sample import sample_models_path
from http1 import Connection

ACCOUNTS_PER_HOUSEHOLD = 2.8  # the demo generator's average
RULES = sample_models_path().parent / "rules" / "firm.yaml"


def build(path: Path, accounts: int) -> tuple[int, int, list[str], str]:
    """The book at ``path`` (reused when it exists): accounts, run id, account ids, token."""
    store = open_store(f"sqlite:///{path}")
    with store.transaction() as tx:
        empty, runs = not tx.households(), tx.rebalance_runs()
    if empty:
        load_demo(store, households=max(1, round(accounts / ACCOUNTS_PER_HOUSEHOLD)))
    if not runs:
        made = rebalance.rebalance(store).run_id
        assert made is not None
        check.check(store, run_id=made, rules_paths=[RULES])
        approvals.record_proposer(store, made, "pm")
    with store.transaction() as tx:
        ids = sorted(str(a) for a in tx.accounts())
        run = tx.rebalance_runs()[0].id
        if tx.user("viewer") is None:
            tx.add_user("viewer", "-", ("viewer",), tx.rebalance_runs()[0].created_at)
    token = users.create_token(store, "viewer", actor="benchmark", label="benchmark").token
    store.close()
    return len(ids), run, ids, token


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of process ``pid`` and its children so far (Linux /proc):
    the server's, with ``--workers``, is the supervisor's and its workers'."""
    clock, total = os.sysconf("SC_CLK_TCK"), 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # a process that ended meanwhile
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / clock
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ready(url: str) -> bool:
    """True when ``url`` answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return int(reply.status) == 200
    except OSError:
        return False


def serve(path: Path, port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    """``ballast serve`` on loopback; returns once /readyz answers (at most 60 s)."""
    env = {**os.environ, "BALLAST_DATABASE_URL": f"sqlite:///{path}"}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "ballast", "serve", "--host",
                                 "127.0.0.1", "--port", str(port), "--workers", str(workers)],
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if ready(f"http://127.0.0.1:{port}/readyz"):
            return proc
        time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"the server did not become ready; see {log}")


@dataclass
class Measured:
    """What the clients saw: latencies by endpoint, errors by kind (status or exception),
    and the CPU seconds the server and this process (the clients) used meanwhile."""

    latencies: dict[str, list[float]]
    errors: dict[str, int]
    server_cpu: float
    client_cpu: float


async def warm_up(conns: list[Connection], connect: Callable[[], Awaitable[Connection]],
                  ids: list[str], run: int) -> None:
    """Not measured: rounds of one request per connection, cycling through the endpoints,
    until one round is answered within a second (at most 10 minutes). The first overview of a
    server process values the whole book, and each worker is one, reached by whichever
    connections the kernel gives it. A connection the server closed meanwhile (idle while
    others waited) is replaced."""
    deadline = time.monotonic() + 600
    urls = ("/api/overview", f"/api/accounts/{ids[0]}", f"/api/runs/{run}/proposals")

    async def one(k: int) -> float:
        started = time.perf_counter()
        if not conns[k].open:
            conns[k] = await connect()
        status, _ = await conns[k].get(urls[k % 3], timeout=600)
        if status != 200:
            raise SystemExit(f"warm-up: {urls[k % 3]} answered {status}")
        return time.perf_counter() - started

    while time.monotonic() < deadline:
        took = await asyncio.gather(*(one(k) for k in range(len(conns))))
        if max(took) < 1.0:
            return
    raise SystemExit("the server did not warm up within 10 minutes")


async def load(port: int, token: str, ids: list[str], run: int, pages: int, clients: int,
               seconds: float, server: int) -> Measured:
    """``clients`` connections, each sending its next request as soon as the last answer is
    read, for ``seconds``."""
    latencies: dict[str, list[float]] = {"overview": [], "account": [], "proposals": []}
    errors: dict[str, int] = {}
    headers = {"Authorization": f"Bearer {token}"}

    def connect() -> Awaitable[Connection]:
        return Connection.connect("127.0.0.1", port, headers)

    conns = [await connect() for _ in range(clients)]
    await warm_up(conns, connect, ids, run)
    end = time.monotonic() + seconds
    cpu_before, own_before = cpu_seconds(server), time.process_time()

    async def client(seed: int) -> None:
        rng, conn = random.Random(seed), conns[seed]
        k = seed
        while time.monotonic() < end:
            kind = ("overview", "account", "proposals")[k % 3]
            k += 1
            url = ("/api/overview" if kind == "overview" else
                   f"/api/accounts/{rng.choice(ids)}" if kind == "account" else
                   f"/api/runs/{run}/proposals?offset={50 * rng.randrange(pages)}&limit=50")
            started = time.perf_counter()
            try:
                if not conn.open:  # the server closed it: a new one, timed with the request
                    conn = await connect()
                status, _ = await conn.get(url)
                what = "" if status == 200 else str(status)
            except (OSError, TimeoutError, httptools.HttpParserError) as exc:
                what = type(exc).__name__
            latencies[kind].append(time.perf_counter() - started)
            if what:
                errors[what] = errors.get(what, 0) + 1
        conn.close()

    await asyncio.gather(*(client(i) for i in range(clients)))
    cpu, own = cpu_seconds(server) - cpu_before, time.process_time() - own_before
    return Measured(latencies, errors, cpu, own)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2,
                        help="Server processes (default 2: one per core of the 2-core machine "
                        "the target is set for).")
    parser.add_argument("--db", type=Path, help="Book to build or reuse (default: temporary).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ballast-api-bench-") as tmp:
        path = args.db or Path(tmp) / "book.db"
        accounts, run, ids, token = build(path, args.accounts)
        port = free_port()
        proc = serve(path, port, args.workers, Path(tmp) / "server.log")
        try:
            measured = uvloop.run(load(
                port, token, ids, run, max(1, accounts // 50),
                args.clients, args.seconds, proc.pid))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    latencies = measured.latencies
    every = np.array([x for xs in latencies.values() for x in xs]) * 1000
    n = max(every.size, 1)
    print(json.dumps({
        "accounts": accounts, "clients": args.clients, "workers": args.workers,
        "requests": int(every.size),
        "p50_ms": round(float(np.percentile(every, 50)), 1),
        "p99_ms": round(float(np.percentile(every, 99)), 1),
        "errors": sum(measured.errors.values()), "error_kinds": measured.errors,
        "requests_per_second": round(every.size / args.seconds, 1),
        "server_cpu_ms_per_request": round(measured.server_cpu * 1000 / n, 3),
        "client_cpu_ms_per_request": round(measured.client_cpu * 1000 / n, 3),
        "load_average": round(os.getloadavg()[0], 1),
        **{f"p99_{k}_ms": round(float(np.percentile(np.array(v) * 1000, 99)), 1)
           for k, v in latencies.items() if v},
        "seconds": args.seconds}))


if __name__ == "__main__":
    main()
