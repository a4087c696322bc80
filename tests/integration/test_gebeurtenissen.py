"""Domain events and audit events as emitted: valid against AsyncAPI, never personal, afspraken.verlopen once."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import yaml
from sqlalchemy import select

from gateway.infrastructure.db import tables as t
from tests.support.fixtures import IDENTITY_KEY
from tests.support.scenario import PERSONEN, draai_scenario

ASYNCAPI = yaml.safe_load((Path(__file__).resolve().parents[2] / "schemas" / "asyncapi.yaml").read_text())


def _valideer(event: dict, schema: str) -> None:
    jsonschema.validate(event, {**ASYNCAPI, "$ref": f"#/components/schemas/{schema}"},
                        format_checker=jsonschema.FormatChecker())


async def _outbox(o) -> list:  # noqa: ANN001
    async with o.container.engine.connect() as conn:
        return (await conn.execute(select(t.outbox).order_by(t.outbox.c.id))).all()


async def test_every_emitted_event_matches_the_asyncapi_schemas(omgeving):
    await draai_scenario(omgeving)
    rijen = await _outbox(omgeving)
    soorten = {r.event["type"] for r in rijen}
    assert {"nl.ketenpoort.casussen.aangemeld", "nl.ketenpoort.casussen.status-gewijzigd",
            "nl.ketenpoort.overleggen.gepland", "nl.ketenpoort.overleggen.agendapunt-toegevoegd",
            "nl.ketenpoort.overleggen.agendapunt-verwijderd", "nl.ketenpoort.afspraken.vastgelegd",
            "nl.ketenpoort.afspraken.status-gewijzigd", "nl.ketenpoort.afspraken.verlopen",
            "nl.ketenpoort.verwijzingen.opgehaald", "nl.ketenpoort.audit.uitwisseling"} <= soorten
    for r in rijen:
        if r.topic == "audit":
            _valideer(r.event, "AuditEvent" if r.event["type"].endswith("uitwisseling") else "CheckpointEvent")
            assert r.sleutel == r.huis
        else:
            _valideer(r.event, "DomeinEvent")
            assert r.sleutel == r.event["subject"]


async def test_no_bsn_name_or_pseudonym_in_any_event_or_key(omgeving):
    await draai_scenario(omgeving)
    kluis = omgeving.container.omgeving.kluis
    verboden = set(PERSONEN) | {kluis.pseudoniem(h, b) for h in ("demo", "noord") for b in PERSONEN}
    verboden |= {IDENTITY_KEY}
    for r in await _outbox(omgeving):
        tekst = str(r.event) + r.sleutel
        for v in verboden:
            assert v not in tekst
    # Domain events carry no free text either (actie, toelichting, gemeente).
    for r in await _outbox(omgeving):
        if r.topic == "gebeurtenissen":
            assert "Huisbezoek" not in str(r.event) and "Gemeente A" not in str(r.event)


async def test_afspraken_verlopen_is_emitted_once(omgeving):
    await draai_scenario(omgeving)  # runs the sweep once; the afspraak of 2026-11-20 is overdue
    await omgeving.container.afhankelijkheden.afspraken.meld_verlopen("demo")
    verlopen = [r for r in await _outbox(omgeving) if r.event["type"] == "nl.ketenpoort.afspraken.verlopen"]
    assert len(verlopen) == 1


async def test_domain_event_positions_are_gapless_per_house(omgeving):
    await draai_scenario(omgeving)
    async with omgeving.container.engine.connect() as conn:
        posities = [r.positie for r in await conn.execute(
            select(t.gebeurtenissen.c.positie).where(t.gebeurtenissen.c.huis == "demo")
            .order_by(t.gebeurtenissen.c.positie))]
    assert posities == list(range(1, len(posities) + 1))
