"""Issue 17: every log line is JSON, a uvicorn traceback too (one line, with the request id), never a BSN."""

from __future__ import annotations

import io
import json
import logging

import structlog

from gateway.infrastructure.observability import JsonFormatter, configureer_logging


def test_a_stdlib_traceback_is_one_json_line():
    configureer_logging("INFO", json=True)
    uit = io.StringIO()
    handler = logging.getLogger().handlers[0]
    handler.setStream(uit)
    assert isinstance(handler.formatter, JsonFormatter)
    structlog.contextvars.bind_contextvars(request_id="abc123")
    try:
        try:
            raise RuntimeError("stuk bij 999990019")
        except RuntimeError:
            logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
    finally:
        structlog.contextvars.unbind_contextvars("request_id")
        configureer_logging("INFO", json=True)
    regels = uit.getvalue().splitlines()
    assert len(regels) == 1
    regel = json.loads(regels[0])
    assert regel["event"] == "Exception in ASGI application" and regel["request_id"] == "abc123"
    assert "RuntimeError" in regel["exception"] and "999990019" not in regels[0]
