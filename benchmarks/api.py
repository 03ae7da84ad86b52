"""API benchmark: read endpoints of ``ballast serve`` under 50 concurrent clients.

The book (not timed): the demo book (sample prices, generated households of one to four
accounts, the demo models) with about ``--accounts`` accounts, a rebalance run of every account
checked against the sample firm rules, and a viewer with an API token. The server:
``python -m ballast serve`` (uvicorn, one process) on 127.0.0.1 in a subprocess, its JSON logs
to a file. After one warm-up request per endpoint (the first overview values the whole book
once), ``--clients`` clients (httpx, asyncio) each send requests back to back for
``--seconds``, cycling through the dashboard's read endpoints: the overview, an account page
(a random account: value, positions, lots, its proposal and trades) and a page of 50 proposals
of the run with their approval state (a random page). Latency is measured per request from
send to full body; an error is any answer but 200 or a failed request.

Prints one JSON line: accounts, clients, requests, p50_ms, p99_ms, errors, requests per
second, the p99 of each endpoint, the server's CPU time per request (what bounds its
throughput on one core, whatever else the machine runs) and the load average at the end.
Target (issue 9): p99 at most 100 ms, zero errors.

    python benchmarks/api.py [--accounts N] [--clients N] [--seconds S] [--db PATH]
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
from pathlib import Path

import httpx
import numpy as np

from ballast.engine import approvals, check, rebalance, users
from ballast.engine.demo import load_demo
from ballast.engine.workspace import open_store
from ballast.sample import sample_models_path

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
        ids = sorted(tx.accounts())
        run = tx.rebalance_runs()[0].id
        if tx.user("viewer") is None:
            tx.add_user("viewer", "-", ("viewer",), tx.rebalance_runs()[0].created_at)
    token = users.create_token(store, "viewer", actor="benchmark", label="benchmark").token
    store.close()
    return len(ids), run, ids, token


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of process ``pid`` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(path: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    """``ballast serve`` on loopback; returns once /readyz answers (at most 60 s)."""
    env = {**os.environ, "BALLAST_DATABASE_URL": f"sqlite:///{path}"}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "ballast", "serve", "--host",
                                 "127.0.0.1", "--port", str(port)], env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"the server did not become ready; see {log}")


async def load(base: str, token: str, ids: list[str], run: int, pages: int, clients: int,
               seconds: float, server: int
               ) -> tuple[dict[str, list[float]], dict[str, int], float]:
    """Every client's latencies by endpoint, the errors by kind (status or exception), and
    the CPU seconds the server process used while measured."""
    latencies: dict[str, list[float]] = {"overview": [], "account": [], "proposals": []}
    errors: dict[str, int] = {}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits,
                                 timeout=30) as http:
        for url in ("/api/overview", f"/api/accounts/{ids[0]}", f"/api/runs/{run}/proposals"):
            # warm-up, not measured: the first overview values the whole book
            (await http.get(url, timeout=600)).raise_for_status()
        end = time.monotonic() + seconds
        cpu_before = cpu_seconds(server)

        async def client(seed: int) -> None:
            rng = random.Random(seed)
            k = seed
            while time.monotonic() < end:
                kind = ("overview", "account", "proposals")[k % 3]
                k += 1
                url = ("/api/overview" if kind == "overview" else
                       f"/api/accounts/{rng.choice(ids)}" if kind == "account" else
                       f"/api/runs/{run}/proposals?offset={50 * rng.randrange(pages)}&limit=50")
                started = time.perf_counter()
                try:
                    reply = await http.get(url)
                    what = "" if reply.status_code == 200 else str(reply.status_code)
                except httpx.HTTPError as exc:
                    what = type(exc).__name__
                latencies[kind].append(time.perf_counter() - started)
                if what:
                    errors[what] = errors.get(what, 0) + 1

        await asyncio.gather(*(client(i) for i in range(clients)))
        cpu = cpu_seconds(server) - cpu_before
    return latencies, errors, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--db", type=Path, help="Book to build or reuse (default: temporary).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ballast-api-bench-") as tmp:
        path = args.db or Path(tmp) / "book.db"
        accounts, run, ids, token = build(path, args.accounts)
        port = free_port()
        proc = serve(path, port, Path(tmp) / "server.log")
        try:
            latencies, errors, server_cpu = asyncio.run(load(
                f"http://127.0.0.1:{port}", token, ids, run, max(1, accounts // 50),
                args.clients, args.seconds, proc.pid))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    every = np.array([x for xs in latencies.values() for x in xs]) * 1000
    print(json.dumps({
        "accounts": accounts, "clients": args.clients, "requests": int(every.size),
        "p50_ms": round(float(np.percentile(every, 50)), 1),
        "p99_ms": round(float(np.percentile(every, 99)), 1), "errors": sum(errors.values()),
        "error_kinds": errors,
        "requests_per_second": round(every.size / args.seconds, 1),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / max(every.size, 1), 2),
        "load_average": round(os.getloadavg()[0], 1),
        **{f"p99_{k}_ms": round(float(np.percentile(np.array(v) * 1000, 99)), 1)
           for k, v in latencies.items() if v},
        "seconds": args.seconds}))


if __name__ == "__main__":
    main()
