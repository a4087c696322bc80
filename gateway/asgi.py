"""ASGI entry point for a process manager, e.g. several workers on one machine:

    uvicorn --factory gateway.asgi:create_app --workers 2 --host 127.0.0.1 --port 8000

Configured by KETENPOORT_* environment variables only (as `ketenpoort serve`); run `ketenpoort db upgrade`
first. With more than one worker, set KETENPOORT_TOKEN_KEY so every worker signs and accepts the same tokens.
Every worker runs the background tasks; the outbox relay publishes from one of them at a time (a lease,
relay_leiderschap.py). Add `--log-config deploy/uvicorn/log.json` so uvicorn's own lines are JSON too.
"""

from __future__ import annotations

from fastapi import FastAPI


def create_app() -> FastAPI:
    from gateway.bootstrap import bouw
    from gateway.infrastructure.observability import configureer_logging
    from gateway.infrastructure.settings import Instellingen

    instellingen = Instellingen()
    configureer_logging(instellingen.log_level, instellingen.log_json)
    return bouw(instellingen).app
