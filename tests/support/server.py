"""Serve an ASGI app over a real socket on a free loopback port, for the duration of a test."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import uvicorn


def vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def vrije_basispoort() -> int:
    """A base port whose next four ports are free too (the mocks listen on base+1..4)."""
    import random

    for _ in range(200):
        basis = random.randrange(20000, 60000)
        socks = []
        try:
            for p in range(basis + 1, basis + 5):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return basis
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free port range")
