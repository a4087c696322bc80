"""Filling the benchmark house through the public API: casussen, overleggen, agendas (CONTRACT.md §4)."""

from __future__ import annotations

from datetime import date

import asyncio
import random
from dataclasses import dataclass

import httpx

from .omgeving import OVERLEGTYPE, THEMA, geheim


async def token(client: httpx.AsyncClient, client_id: str) -> dict[str, str]:
    r = await client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id,
                                                "client_secret": geheim(client_id)})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}", "X-Gebruiker": "bench.gebruiker"}


@dataclass
class Huis:
    casussen: list[str]                 # casus ids, one per person
    overleggen: list[str]               # overleg ids, each with `agendapunten` casussen on its agenda
    agenda: dict[str, list[str]]        # overleg id -> casus ids
    paren: list[tuple[str, str]]        # (casus id, overleg id) with the casus on that overleg's agenda


async def _parallel(n: int, werk, gelijktijdig: int = 16) -> list:  # noqa: ANN001
    slot = asyncio.Semaphore(gelijktijdig)

    async def een(i: int):  # noqa: ANN202
        async with slot:
            return await werk(i)

    return await asyncio.gather(*(een(i) for i in range(n)))


async def zaai(url: str, bsns: list[str], *, overleggen: int, agendapunten: int, seed: int = 1) -> Huis:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=url, timeout=60) as c:
        politie = await token(c, "bench-politie")
        pr = await token(c, "bench-procesregisseur")

        async def casus(i: int) -> str:
            r = await c.post("/v1/casussen", json={"bsn": bsns[i], "thema": THEMA, "gemeente": "gemeente-a"},
                             headers=politie)
            if r.status_code == 409:  # already registered (a re-used database)
                return r.json()["bestaandeCasus"]
            r.raise_for_status()
            return r.json()["id"]

        casussen = await _parallel(len(bsns), casus)

        async def overleg(i: int) -> tuple[str, list[str]]:
            r = await c.post("/v1/overleggen", json={"overlegtype": OVERLEGTYPE, "datum": date.today().isoformat()}, headers=pr)
            r.raise_for_status()
            oid = r.json()["id"]
            gekozen = rng.sample(casussen, min(agendapunten, len(casussen)))
            for cid in gekozen:
                r = await c.post(f"/v1/overleggen/{oid}/agendapunten", json={"casusId": cid}, headers=pr)
                r.raise_for_status()
            return oid, gekozen

        agenda = dict(await _parallel(overleggen, overleg, gelijktijdig=8))
    paren = [(cid, oid) for oid, cids in agenda.items() for cid in cids]
    return Huis(casussen, list(agenda), agenda, paren)
