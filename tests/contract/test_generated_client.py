"""Issue 10 item 1: a client generated from the OpenAPI document (openapi-python-client) drives the tour,
errors included. A response the document does not declare raises UnexpectedStatus; an error that is
not problem+json as documented fails to parse. So a drift between code and document fails the build."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import httpx
import pytest

from tests.support.fixtures import BSN_A


@pytest.fixture
async def gegenereerd(omgeving, tmp_path):
    doc = (await omgeving.client.get("/v1/openapi.json")).json()
    (tmp_path / "openapi.json").write_text(json.dumps(doc))
    (tmp_path / "config.yaml").write_text("post_hooks: []\npackage_name_override: ketenpoort_client\n")
    gen = Path(sys.executable).with_name("openapi-python-client")
    subprocess.run([str(gen), "generate", "--path", "openapi.json", "--config", "config.yaml", "--meta", "none"],
                   cwd=tmp_path, check=True, capture_output=True, timeout=120)
    sys.path.insert(0, str(tmp_path))
    for naam in [m for m in sys.modules if m.startswith("ketenpoort_client")]:
        del sys.modules[naam]
    try:
        yield importlib.import_module("ketenpoort_client")
    finally:
        sys.path.remove(str(tmp_path))


async def test_generated_client_drives_the_tour_with_typed_errors(omgeving, gegenereerd):
    api = importlib.import_module("ketenpoort_client.api.casussen.aanmelden_v1_casussen_post")
    inzien = importlib.import_module("ketenpoort_client.api.casussen.inzien_v1_casussen_casus_id_get")
    lijst = importlib.import_module("ketenpoort_client.api.afspraken.lijst_v1_afspraken_get")
    vastleggen = importlib.import_module("ketenpoort_client.api.afspraken.vastleggen_v1_casussen_casus_id_afspraken_post")
    plannen = importlib.import_module("ketenpoort_client.api.overleggen.plannen_v1_overleggen_post")
    agenderen = importlib.import_module("ketenpoort_client.api.overleggen.agenderen_v1_overleggen_overleg_id_agendapunten_post")
    ophalen = importlib.import_module(
        "ketenpoort_client.api.verwijzingen.voor_overleg_v1_overleggen_overleg_id_verwijzingen_ophalen_post")
    audit = importlib.import_module("ketenpoort_client.api.audit.gebeurtenissen_v1_audit_gebeurtenissen_get")
    m = importlib.import_module("ketenpoort_client.models")

    async def als(client_id: str):  # noqa: ANN202
        c = gegenereerd.AuthenticatedClient(base_url="http://gateway.test/v1", token=await omgeving.token(client_id),
                                            raise_on_unexpected_status=True)
        return c.set_async_httpx_client(httpx.AsyncClient(
            transport=omgeving.client._transport, base_url="http://gateway.test/v1",  # noqa: SLF001
            headers={"Authorization": f"Bearer {await omgeving.token(client_id)}", "X-Gebruiker": "t.client"}))

    pr, politie, privacy = await als("demo-procesregisseur"), await als("demo-politie"), await als("demo-privacy")
    overleg = await plannen.asyncio(client=pr, body=m.OverlegPlannen(overlegtype="jco", datum=date(2026, 12, 1)))
    assert isinstance(overleg, m.OverlegUit) and "politie" in overleg.deelnemers
    casus = await api.asyncio(client=politie, body=m.CasusAanmelden(bsn=BSN_A, thema="jeugd", gemeente="gemeente-a"))
    assert isinstance(casus, m.CasusUit) and casus.status == "aangemeld"

    # The errors come back typed: problem+json with every invalid field, the conflict with the existing casus.
    fout = await api.asyncio(client=politie, body=m.CasusAanmelden(bsn="12345", thema="geen-thema", gemeente="A"))
    assert isinstance(fout, m.Probleem) and fout.status == 400
    assert {p.name for p in fout.invalid_params} == {"bsn", "thema"}
    dubbel = await api.asyncio(client=politie, body=m.CasusAanmelden(bsn=BSN_A, thema="jeugd", gemeente="gemeente-a"))
    assert isinstance(dubbel, m.Probleem) and dubbel.status == 409 and dubbel.bestaande_casus == casus.id
    geweigerd = await plannen.asyncio(client=politie, body=m.OverlegPlannen(overlegtype="jco", datum=date(2026, 12, 1)))
    assert isinstance(geweigerd, m.Probleem) and geweigerd.status == 403
    weg = await inzien.asyncio(client=politie, casus_id="3f6c1c2e-9a43-4a4b-8f0e-2d6f3b1f9a10")
    assert isinstance(weg, m.Probleem) and weg.status == 404
    zonder = gegenereerd.Client(base_url="http://gateway.test/v1", raise_on_unexpected_status=True)
    zonder.set_async_httpx_client(httpx.AsyncClient(transport=omgeving.client._transport,  # noqa: SLF001
                                                    base_url="http://gateway.test/v1"))
    anoniem = await inzien.asyncio(client=zonder, casus_id=str(casus.id))
    assert isinstance(anoniem, m.Probleem) and anoniem.status == 401

    punt = await agenderen.asyncio(client=pr, overleg_id=str(overleg.id), body=m.AgendapuntToevoegen(casus_id=casus.id))
    assert isinstance(punt, m.AgendapuntUit) and punt.volgorde == 1
    uitkomst = await ophalen.asyncio(client=politie, overleg_id=str(overleg.id))
    assert isinstance(uitkomst, m.OverlegResultatenUit) and uitkomst.agendapunten[0].resultaten
    afspraak = await vastleggen.asyncio(client=pr, casus_id=str(casus.id), body=m.AfspraakVastleggen(
        uitvoerder="politie", actie="Huisbezoek", deadline=date(2026, 12, 15)))
    assert isinstance(afspraak, m.AfspraakUit)
    pagina = await lijst.asyncio(client=politie, pagina_grootte=1)
    assert isinstance(pagina, m.AfsprakenPagina) and pagina.totaal == 1 and len(pagina.afspraken) == 1
    log = await audit.asyncio(client=privacy)
    assert isinstance(log, m.AuditGebeurtenissenUit) and log.gebeurtenissen
