"""`GET /v1/gebeurtenissen` over a real socket: filtered per caller, resumable without gaps or duplicates."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx

from tests.support.scenario import draai_scenario
from tests.support.server import echte_server


async def _events(url: str, headers: dict[str, str], params: dict | None = None) -> AsyncIterator[dict]:
    async with httpx.AsyncClient(timeout=10) as c:
        async with c.stream("GET", f"{url}/v1/gebeurtenissen", headers=headers, params=params) as r:
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
            huidig: dict = {}
            async for regel in r.aiter_lines():
                if regel.startswith("id: "):
                    huidig["id"] = int(regel[4:])
                elif regel.startswith("event: "):
                    huidig["event"] = regel[7:]
                elif regel.startswith("data: "):
                    huidig["data"] = json.loads(regel[6:])
                elif regel == "" and "id" in huidig:
                    yield huidig
                    huidig = {}


async def _lees(url: str, headers: dict[str, str], aantal: int) -> list[dict]:
    uit: list[dict] = []
    async for e in _events(url, headers):
        uit.append(e)
        if len(uit) >= aantal:
            break
    return uit


async def test_stream_filters_and_resumes(omgeving):
    await draai_scenario(omgeving)
    async with echte_server(omgeving.container.app) as url:
        alles = await _lees_tot_stil(url, await omgeving.als("demo-procesregisseur"))
        ids = [e["id"] for e in alles]
        assert ids == sorted(ids) and len(ids) == len(set(ids)) and ids[0] == 1
        rvdk = await _lees_tot_stil(url, await omgeving.als("demo-rvdk"))
        # rvdk takes part in jco only: it sees no veelplegers event.
        assert rvdk and all(e["data"]["data"].get("thema") != "veelplegers" and
                            e["data"]["data"].get("overlegtype") != "veelplegers" for e in rvdk)
        assert len(rvdk) < len(alles)
        # Resume after the third visible event: the rest, no gap, no duplicate.
        verder = await _lees_tot_stil(url, {**await omgeving.als("demo-rvdk"), "Last-Event-ID": str(rvdk[2]["id"])})
        assert [e["id"] for e in verder] == [e["id"] for e in rvdk[3:]]
        # Live: a new event arrives on an open stream.
        h = await omgeving.als("demo-procesregisseur")
        lezer = asyncio.create_task(_lees(url, h, 1))
        await asyncio.sleep(0.5)
        await omgeving.client.post("/v1/overleggen", json={"overlegtype": "jco", "datum": "2026-12-09"}, headers=h)
        nieuw = await asyncio.wait_for(lezer, 10)
        assert nieuw[0]["event"] == "nl.ketenpoort.overleggen.gepland" and nieuw[0]["id"] > ids[-1]
        # Not for the privacy or beheer scopes, and not with a nonsense position.
        async with httpx.AsyncClient(timeout=5) as c:
            r = await c.get(f"{url}/v1/gebeurtenissen", headers=await omgeving.als("demo-privacy"))
            assert r.status_code == 403
            r = await c.get(f"{url}/v1/gebeurtenissen", headers={**h, "Last-Event-ID": "abc"})
            assert r.status_code == 400


async def _lees_tot_stil(url: str, headers: dict[str, str]) -> list[dict]:
    """Read from the start (or Last-Event-ID) until no event came for a second."""
    uit: list[dict] = []
    params = None if "Last-Event-ID" in headers else {"vanaf": 0}

    async def lees() -> None:
        async for e in _events(url, headers, params):
            uit.append(e)

    taak = asyncio.create_task(lees())
    vorige = -1
    while vorige != len(uit):
        vorige = len(uit)
        await asyncio.sleep(1.0)
    taak.cancel()
    await asyncio.gather(taak, return_exceptions=True)
    return uit
