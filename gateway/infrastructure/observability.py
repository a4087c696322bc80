"""structlog JSON logs, Prometheus metrics and OpenTelemetry tracing. Never a BSN in any of them."""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

import structlog
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CollectorRegistry, Counter, Histogram

from gateway.domain.bsn import is_geldig_bsn

_NEGEN = re.compile(r"(?<!\d)\d{9}(?!\d)")


def _bsn_weg(tekst: str) -> str:
    return _NEGEN.sub(lambda m: "*********" if is_geldig_bsn(m.group()) else m.group(), tekst)


def _scrub(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    """Last line of defence: mask anything that looks like a BSN before a log line is written."""
    for k, v in list(event.items()):
        if isinstance(v, str):
            event[k] = _bsn_weg(v)
    return event


def _trace_ids(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    ctx = trace.get_current_span().get_span_context()
    if ctx.is_valid:
        event.setdefault("trace_id", format(ctx.trace_id, "032x"))
    return event


def configureer_logging(niveau: str = "INFO", json: bool = True) -> None:
    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _trace_ids,
        structlog.processors.format_exc_info,
        _scrub,
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(),
    ]
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(niveau.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=niveau.upper(), stream=sys.stdout, format="%(message)s", force=True)
    for handler in logging.getLogger().handlers:
        handler.addFilter(BsnFilter())
        if json:  # uvicorn's and the libraries' lines too, tracebacks included: one JSON object per line
            handler.setFormatter(JsonFormatter())
    # `uvicorn --workers` installs its own plain-text handlers: route its lines through the root handler
    # instead. Its access lines repeat the middleware's http.verzoek, so only warnings and worse.
    for naam in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(naam).handlers.clear()
        logging.getLogger(naam).propagate = True
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    # httpx logs every request at INFO: four lines per lookup that say nothing the adapters do not.
    for naam in ("httpx", "httpcore"):
        logging.getLogger(naam).setLevel(max(logging.WARNING, logging.getLevelName(niveau.upper())))


class BsnFilter(logging.Filter):
    """Masks BSN-shaped numbers in stdlib log records too (uvicorn, starlette tracebacks)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _bsn_weg(record.getMessage())
        record.args = ()
        if record.exc_info:
            record.exc_text = _bsn_weg(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    """A stdlib record as one JSON line in the structlog shape (event, level, logger, timestamp, request id)."""

    def format(self, record: logging.LogRecord) -> str:
        import json as _json
        from datetime import datetime, timezone

        regel: dict[str, Any] = dict(structlog.contextvars.get_contextvars())
        regel.update(event=record.getMessage(), level=record.levelname.lower(), logger=record.name,
                     timestamp=datetime.fromtimestamp(record.created, timezone.utc).isoformat().replace("+00:00", "Z"))
        if record.exc_info and not record.exc_text:
            record.exc_text = _bsn_weg(self.formatException(record.exc_info))
        if record.exc_text:
            regel["exception"] = record.exc_text
        return _json.dumps(regel, ensure_ascii=False, default=str)


_tracer_provider: TracerProvider | None = None


def configureer_tracing() -> None:
    """A tracer provider so spans carry real ids; exporters come from the standard OTEL_* setup."""
    global _tracer_provider
    if _tracer_provider is None:
        _tracer_provider = TracerProvider()
        try:
            trace.set_tracer_provider(_tracer_provider)
        except Exception:  # noqa: BLE001 - a provider set by the host application wins
            pass


class Metrieken:
    def __init__(self, registry: CollectorRegistry | None = None):
        self.registry = registry or CollectorRegistry()
        self.verzoeken = Counter(
            "ketenpoort_http_requests_total", "HTTP requests", ["method", "route", "status"], registry=self.registry
        )
        self.duur = Histogram(
            "ketenpoort_http_request_duration_seconds", "HTTP request duration", ["method", "route"],
            registry=self.registry,
        )
        self.audit = Counter(
            "ketenpoort_audit_events_total", "Audit events committed", ["huis", "besluit"], registry=self.registry
        )

    def audit_vastgelegd(self, huis: str, besluit: str, aantal: int) -> None:
        """Called by the unit of work after each commit that wrote audit records."""
        self.audit.labels(huis=huis, besluit=besluit).inc(aantal)
