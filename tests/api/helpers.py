"""Small steps shared by API tests."""

from __future__ import annotations

from typing import Any

from tests.support.fixtures import BSN_A, Omgeving

PROBLEM = "application/problem+json"


async def meld_aan(o: Omgeving, client_id: str = "demo-politie", bsn: str = BSN_A, thema: str = "jeugd",
                   **extra: Any) -> dict:
    # gemeente is a partner id of the house (issue 11)
    body = {"bsn": bsn, "thema": thema, "gemeente": "gemeente-c" if client_id.startswith("noord") else "gemeente-a",
            **extra}
    r = await o.client.post("/v1/casussen", json=body, headers=await o.als(client_id))
    assert r.status_code == 201, r.text
    return r.json()


async def plan_overleg(o: Omgeving, overlegtype: str = "jco", huis: str = "demo") -> dict:
    r = await o.client.post("/v1/overleggen", json={"overlegtype": overlegtype, "datum": "2026-12-01"},
                            headers=await o.als(f"{huis}-procesregisseur"))
    assert r.status_code == 201, r.text
    return r.json()


def is_probleem(r, status: int) -> dict:  # noqa: ANN001
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["status"] == status and body["type"] and body["title"] and "detail" in body
    return body


def ongeldige_velden(r) -> set[str]:  # noqa: ANN001
    return {p["name"] for p in is_probleem(r, 400)["invalidParams"]}


async def agendeer(o: Omgeving, casus: dict, overlegtype: str = "jco", huis: str = "demo") -> dict:
    """Put a casus on a new overleg's agenda: need-to-know (issue 11) opens it to that meeting's participants."""
    overleg = await plan_overleg(o, overlegtype, huis)
    r = await o.client.post(f"/v1/overleggen/{overleg['id']}/agendapunten", json={"casusId": casus["id"]},
                            headers=await o.als(f"{huis}-procesregisseur"))
    assert r.status_code == 201, r.text
    return overleg
