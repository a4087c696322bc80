"""Serve an ASGI app over a real socket on a free loopback port, for the duration of a test."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import uvicorn

from bench.infra import (  # one copy for tests and benchmarks
    vrije_basispoort,
    vrije_poort,
)

__all__ = ["echte_server", "vrije_basispoort", "vrije_poort"]


@contextlib.asynccontextmanager
async def echte_server(app) -> AsyncIterator[str]:  # noqa: ANN001
    poort = vrije_poort()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=poort, lifespan="off", log_config=None,
                                           access_log=False))
    taak = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
        if taak.done():
            taak.result()
    try:
        yield f"http://127.0.0.1:{poort}"
    finally:
        server.should_exit = True
        server.force_exit = True
        await asyncio.wait_for(taak, 10)
