"""Identity keys rotate without giving a person a second betrokkene (issue 9, item 7), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from gateway.bootstrap import bouw
from gateway.infrastructure.settings import Instellingen
from tests.support.fixtures import BSN_A, BSN_B, DEMO, IDENTITY_KEY, VasteKlok

NIEUWE_SLEUTEL = "nieuwe-identiteitssleutel-" + "y" * 32


@asynccontextmanager
async def gateway(database_url: str, **instellingen: object) -> AsyncIterator[httpx.AsyncClient]:
    """One gateway on the shared database, with its own identity-key configuration."""
    inst = Instellingen(database_url=database_url, config_dir=DEMO, **{"identity_key": IDENTITY_KEY, **instellingen})
    container = bouw(inst, klok=VasteKlok(), bronnen={})
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=container.app),
                                     base_url="http://gateway.test") as client:
            yield client
    finally:
        await container.sluit()


async def als(client: httpx.AsyncClient, client_id: str) -> dict[str, str]:
    r = await client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id,
                                                "client_secret": f"{client_id}-geheim"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}", "X-Gebruiker": "t.tester"}


async def meld_aan(client: httpx.AsyncClient, bsn: str, thema: str = "jeugd") -> httpx.Response:
    return await client.post("/v1/casussen", json={"bsn": bsn, "thema": thema, "gemeente": "Gemeente A"},
                             headers=await als(client, "demo-politie"))


async def inzage(client: httpx.AsyncClient, bsn: str) -> dict:
    r = await client.post("/v1/audit/_inzage", json={"bsn": bsn}, headers=await als(client, "demo-privacy"))
    assert r.status_code == 200, r.text
    assert bsn not in r.text
    return r.json()


GEROTEERD = {"identity_key": NIEUWE_SLEUTEL, "identity_key_version": 2, "identity_keys_previous": {1: IDENTITY_KEY}}


async def test_a_new_key_with_the_old_one_as_previous_keeps_the_betrokkene(database_url: str) -> None:
    # The finding: a new KETENPOORT_IDENTITY_KEY made the same BSN a new betrokkene. With the old key
    # named as previous, the person is found before a single row is re-keyed.
    async with gateway(database_url) as oud:
        r = await meld_aan(oud, BSN_A)
        assert r.status_code == 201, r.text
        casus = r.json()
        voor = await inzage(oud, BSN_A)
    async with gateway(database_url, **GEROTEERD) as nieuw:
        r = await meld_aan(nieuw, BSN_A)
        assert r.status_code == 409, r.text
        assert r.json()["bestaandeCasus"] == casus["id"]
        r = await nieuw.post("/v1/casussen/_zoek", json={"bsn": BSN_A}, headers=await als(nieuw, "demo-politie"))
        assert [c["id"] for c in r.json()["casussen"]] == [casus["id"]]
        na = await inzage(nieuw, BSN_A)
    assert na["betrokkene"] == {"id": casus["betrokkene"]["id"]}
    # The whole history: everything inzage showed before, plus the refused registration, the search and the inzage.
    volgnummers = [x["volgnummer"] for x in na["uitwisselingen"]]
    assert {x["volgnummer"] for x in voor["uitwisselingen"]} < set(volgnummers)
    assert [x["handeling"] for x in na["uitwisselingen"]][0] == "casus_aanmelden"
    assert {x["handeling"] for x in na["uitwisselingen"]} >= {"casus_aanmelden", "casus_zoeken", "inzage"}


async def test_a_person_first_registered_under_the_new_key_is_new(database_url: str) -> None:
    async with gateway(database_url) as oud:
        a = (await meld_aan(oud, BSN_A)).json()
    async with gateway(database_url, **GEROTEERD) as nieuw:
        r = await meld_aan(nieuw, BSN_B)
        assert r.status_code == 201, r.text
        assert r.json()["betrokkene"]["id"] != a["betrokkene"]["id"]
        assert (await meld_aan(nieuw, BSN_B)).status_code == 409
