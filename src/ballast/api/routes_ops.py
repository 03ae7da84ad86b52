"""Health (the process answers), readiness (the store answers and its schema is at the newest
migration) and Prometheus metrics. None of them needs credentials."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ballast.api.auth import store_of
from ballast.api.observability import Metrics
from ballast.api.schemas import Health
from ballast.engine.service import readiness

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}})
def readyz(request: Request) -> Response:
    """Ready when the store answers and its schema is at the newest migration; 503 else."""
    checks = readiness(store_of(request))
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse(Health(status="ok" if ok else "unavailable", checks=checks)
                        .model_dump(), status_code=200 if ok else 503)


@router.get("/metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """Prometheus metrics: requests and latency by route, pending approvals, kill switches."""
    registry: Metrics = request.app.state.metrics
    return Response(generate_latest(registry.registry), media_type=CONTENT_TYPE_LATEST)
