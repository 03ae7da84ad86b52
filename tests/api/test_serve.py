"""`ballast serve` runs the app with uvicorn (in one process or several workers): ready on
loopback, JSON logs on standard error."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_answers_and_logs_json(tmp_path: Path, workers: int) -> None:
    port, log = _free_port(), tmp_path / "server.log"
    env = {**os.environ, "BALLAST_DATABASE_URL": f"sqlite:///{tmp_path / 'book.db'}"}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "ballast", "serve", "--port", str(port),
                                 "--workers", str(workers)],
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        ready = None
        for _ in range(300):  # at most 60 s
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert ready is not None and ready.json()["status"] == "ok"
        for _ in range(4):  # connections the kernel hands to either worker
            denied = httpx.get(f"http://127.0.0.1:{port}/api/overview", timeout=5)
            assert denied.status_code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    lines = [json.loads(x) for x in log.read_text().splitlines() if x.startswith("{")]
    assert {(x["route"], x["status"]) for x in lines if x["message"] == "request"} >= {
        ("/readyz", 200), ("/api/overview", 401)}
