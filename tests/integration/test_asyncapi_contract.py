"""Issue 10 item 8: one AsyncAPI schema per event type with its required fields, NL GOV CloudEvents
`dataschema`/`sequencetype`, and sequences that sort as strings; checked on the events of a real tour."""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import pytest
import yaml
from sqlalchemy import select

from gateway.domain.audit import volgorde
from gateway.infrastructure.db import tables as t
from tests.support.scenario import draai_scenario

ASYNCAPI = yaml.safe_load((Path(__file__).resolve().parents[2] / "schemas" / "asyncapi.yaml").read_text())


def _fouten(event: dict, schema: str) -> list:
    v = jsonschema.Draft202012Validator({**ASYNCAPI, "$ref": f"#/components/schemas/{schema}"},
                                        format_checker=jsonschema.FormatChecker())
    return list(v.iter_errors(event))


async def test_tour_events_validate_per_type_with_dataschema_and_sortable_sequence(omgeving):
    await draai_scenario(omgeving)
    async with omgeving.container.engine.connect() as conn:
        rijen = (await conn.execute(select(t.outbox).order_by(t.outbox.c.id))).all()
    per_huis: dict[tuple[str, str], list[str]] = {}
    gezien = set()
    for r in rijen:
        ev = r.event
        if ev["type"] == "nl.ketenpoort.audit.checkpoint":
            continue
        schema = "AuditEvent" if r.topic == "audit" else "DomeinEvent"
        assert _fouten(ev, schema) == [], ev["type"]
        assert ev["dataschema"].startswith("urn:nld:ketenpoort:schema:" + ev["type"])
        assert ev["sequencetype"] == "Integer" and len(ev["sequence"]) == 20
        per_huis.setdefault((r.huis, r.topic), []).append(ev["sequence"])
        gezien.add(ev["type"])
    assert len(gezien) >= 10
    for reeks in per_huis.values():  # string order is numeric order, also past 9 -> 10
        assert reeks == sorted(reeks, key=int) == sorted(reeks)
        assert len(reeks) < 10 or any(s.endswith("10") for s in reeks)


def test_sequence_sorts_as_a_string():
    assert sorted([volgorde(10), volgorde(9), volgorde(100)]) == [volgorde(9), volgorde(10), volgorde(100)]


@pytest.mark.parametrize("weg", ["thema", "status", "casusId"])
def test_a_domain_event_without_a_required_field_is_invalid(weg):
    ev = {"specversion": "1.0", "id": "3f6c1c2e-9a43-4a4b-8f0e-2d6f3b1f9a10", "source": "urn:nld:ketenpoort:huis:demo",
          "type": "nl.ketenpoort.casussen.aangemeld", "time": "2026-11-23T10:00:00.000Z",
          "datacontenttype": "application/json",
          "dataschema": "urn:nld:ketenpoort:schema:nl.ketenpoort.casussen.aangemeld:1",
          "subject": "3f6c1c2e-9a43-4a4b-8f0e-2d6f3b1f9a10", "dataref": "/v1/casussen/3f6c1c2e-9a43-4a4b-8f0e-2d6f3b1f9a10",
          "sequence": volgorde(1), "sequencetype": "Integer",
          "data": {"casusId": "3f6c1c2e-9a43-4a4b-8f0e-2d6f3b1f9a10", "thema": "jeugd", "status": "aangemeld"}}
    assert _fouten(ev, "DomeinEvent") == []
    # Who registered it would tell every reader that partner is involved (issue 11): not part of the event.
    verraad = copy.deepcopy(ev)
    verraad["data"]["aangemeldDoor"] = "politie"
    assert _fouten(verraad, "DomeinEvent")
    kapot = copy.deepcopy(ev)
    del kapot["data"][weg]
    assert _fouten(kapot, "DomeinEvent")
