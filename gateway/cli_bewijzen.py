"""`ketenpoort audit bewijs controleer` and `ketenpoort audit afstemmen`: what a partner checks for itself.

Exit codes: 0 the proof holds / every receipt is borne out; 1 it does not (each finding printed); 2 the
command could not run (bad input, no key).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional

import typer
from rich.console import Console

from gateway.domain import merkle as M
from gateway.domain.afstemming import afstemmen, verankerd_tot
from gateway.domain.ontvangstbewijs import Ontvangstbewijs

bewijs_app = typer.Typer(help="Merkle-bewijzen (RFC 9162) offline controleren.", no_args_is_help=True)

SleutelOpt = Annotated[list[Path], typer.Option(
    "--public-key", help="Ed25519 public key (PEM) or keyring (JSON, GET /audit/publieke-sleutel) of the "
                         "checkpoints; repeatable")]


def _stop(code: int, bericht: str) -> NoReturn:
    Console(stderr=True, soft_wrap=True).print(bericht, markup=False)
    raise typer.Exit(code)


def _handtekening(sleutels: list[Path]) -> Any:
    from gateway.infrastructure.audit.sleutels import Sleutelring, handtekening_controle

    if not sleutels:
        _stop(2, "geef de publieke sleutel van de checkpoints met --public-key: zonder sleutel is niets bewezen")
    try:
        ringen = [Sleutelring.laad(p) for p in sleutels]
        return handtekening_controle(ringen[0].met(*ringen[1:]))
    except (OSError, ValueError) as e:
        _stop(2, str(e))


def _lees_json(pad: Path) -> dict[str, Any]:
    try:
        waarde = json.loads(pad.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        _stop(2, f"{pad}: geen JSON ({type(e).__name__})")
    if not isinstance(waarde, dict):
        _stop(2, f"{pad}: verwacht een JSON-object")
    return waarde


def _hex(waarden: Any, wat: str) -> list[bytes]:
    try:
        uit = [bytes.fromhex(w) for w in waarden]
    except (TypeError, ValueError):
        _stop(2, f"{wat}: verwacht een lijst van hexadecimale hashes")
    if any(len(b) != 32 for b in uit):
        _stop(2, f"{wat}: elke hash is 32 bytes")
    return uit


def _bewaarde(pad: Path | None) -> dict[int, dict[str, Any]]:
    """Checkpoints a partner kept (JSON lines or a JSON list), by size."""
    if pad is None:
        return {}
    tekst = pad.read_text(encoding="utf-8").strip()
    rijen = json.loads(tekst) if tekst.startswith("[") else [json.loads(r) for r in tekst.splitlines() if r.strip()]
    return {int(r["volgnummer"]): r for r in rijen}


def controleer_bewijs(bewijs: dict[str, Any], klopt: Any, bewaard: dict[int, dict[str, Any]]) -> list[str]:
    """Every reason the proof does not hold; empty when it does."""
    fouten: list[str] = []
    for naam in ("checkpoint", "vanCheckpoint", "totCheckpoint"):
        cp = bewijs.get(naam)
        if cp is not None and not klopt(cp):
            fouten.append(f"{naam} {cp.get('volgnummer')}: handtekening klopt niet met de publieke sleutel(s)")
        if cp is not None and cp.get("volgnummer") in bewaard and bewaard[cp["volgnummer"]].get("boomWortel") != cp.get(
                "boomWortel"):
            fouten.append(f"{naam} {cp['volgnummer']}: andere boomwortel dan het bewaarde checkpoint (split view)")
    pad = _hex(bewijs.get("pad", []), "pad")
    if "blad" in bewijs:  # inclusion
        cp = bewijs.get("checkpoint") or {}
        if cp.get("boomWortel") != bewijs.get("boomWortel") or cp.get("volgnummer") != bewijs.get("boomGrootte"):
            fouten.append("het bewijs hoort niet bij het meegegeven checkpoint")
        wortel = _hex([bewijs.get("boomWortel")], "boomWortel")[0]
        blad = M.blad_van_event(str(bewijs.get("hash")))
        if bewijs.get("blad") != bewijs.get("volgnummer", 0) - 1 or not M.controleer_opname(
                int(bewijs["blad"]), int(bewijs["boomGrootte"]), blad, pad, wortel):
            fouten.append(f"opnamebewijs van volgnummer {bewijs.get('volgnummer')} klopt niet met de boomwortel")
    else:  # consistency
        van, tot = int(bewijs["van"]), int(bewijs["tot"])
        oud = (bewijs.get("vanCheckpoint") or bewaard.get(van) or {}).get("boomWortel")
        nieuw = (bewijs.get("totCheckpoint") or bewaard.get(tot) or {}).get("boomWortel")
        if oud is None or nieuw is None:
            fouten.append("voor beide groottes is een ondertekend checkpoint met boomwortel nodig")
        elif not M.controleer_consistentie(van, tot, bytes.fromhex(oud), bytes.fromhex(nieuw), pad):
            fouten.append(f"de boom van {tot} zet de boom van {van} niet ongewijzigd voort")
    return fouten


@bewijs_app.command("controleer")
def controleer(
    bestand: Annotated[Path, typer.Argument(help="the proof as GET /v1/audit/bewijzen/... returned it (JSON)")],
    public_key: SleutelOpt = [],  # noqa: B006 - typer's way of a repeatable option
    bewaard: Annotated[Optional[Path], typer.Option(
        "--bewaard", help="checkpoints you kept earlier (JSON lines): a different root is a split view")] = None,
) -> None:
    """Check an inclusion or consistency proof offline, with the public key(s) of the checkpoints."""
    fouten = controleer_bewijs(_lees_json(bestand), _handtekening(public_key), _bewaarde(bewaard))
    if fouten:
        for f in fouten:
            Console(soft_wrap=True).print(f"ONGELDIG: {f}", markup=False)
        raise typer.Exit(1)
    Console(soft_wrap=True).print("geldig: het bewijs klopt met het ondertekende checkpoint", markup=False)


def afstemmen_opdracht(
    ontvangstbewijzen: Annotated[Path, typer.Option("--ontvangstbewijzen", help="the partner's kept receipts "
                                                    "(JSON lines: huis, volgnummers, hash)")],
    huis: Annotated[str, typer.Option("--huis", help="the house whose chain is reconciled")],
    database_url: Annotated[Optional[str], typer.Option("--database-url", metavar="URL")] = None,
    partner: Annotated[Optional[str], typer.Option(
        "--partner", help="also list this partner's exchanges in the chain that have no receipt")] = None,
    public_key: SleutelOpt = [],  # noqa: B006
    formaat: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Reconcile a partner's receipts with the chain: missing, changed, unanchored, and exchanges without one."""
    from gateway.infrastructure.db.afstemming import lees_keten
    from gateway.infrastructure.db.engine import maak_engine
    from gateway.infrastructure.settings import Instellingen

    klopt = _handtekening(public_key)
    try:
        bewijzen = [Ontvangstbewijs(str(r["huis"]), tuple(int(v) for v in r["volgnummers"]), str(r["hash"]))
                    for r in (json.loads(x) for x in ontvangstbewijzen.read_text(encoding="utf-8").splitlines()
                              if x.strip())]
    except (OSError, ValueError, KeyError, TypeError) as e:
        _stop(2, f"{ontvangstbewijzen}: geen ontvangstbewijzen als JSON-regels ({type(e).__name__})")
    if any(not b.volgnummers for b in bewijzen):
        _stop(2, f"{ontvangstbewijzen}: een ontvangstbewijs zonder volgnummers")

    async def lees() -> Any:
        engine = maak_engine(database_url or Instellingen().database_url)
        try:
            return await lees_keten(engine, huis)
        finally:
            await engine.dispose()

    keten, hashes, checkpoints = asyncio.run(lees())
    gedekt = verankerd_tot(hashes, checkpoints, klopt)
    bevindingen = afstemmen(huis, bewijzen, keten, verankerd_tot=gedekt, partner=partner)
    if formaat == "json":
        print(json.dumps({"huis": huis, "ontvangstbewijzen": len(bewijzen), "verankerdTot": gedekt,
                          "bevindingen": [{"afwijking": b.afwijking.value, "volgnummer": b.volgnummer,
                                           "toelichting": b.toelichting} for b in bevindingen]}, ensure_ascii=False))
    else:
        c = Console(soft_wrap=True, highlight=False)
        for b in bevindingen:
            c.print(f"{b.afwijking.value:<24} volgnummer {b.volgnummer}: {b.toelichting}", markup=False)
        c.print(f"{len(bewijzen)} ontvangstbewijzen, {len(bevindingen)} afwijkingen; "
                f"ondertekende checkpoints dekken tot volgnummer {gedekt}", markup=False)
    raise typer.Exit(1 if bevindingen else 0)


def registreer(audit_app: typer.Typer) -> None:
    audit_app.add_typer(bewijs_app, name="bewijs")
    audit_app.command("afstemmen")(afstemmen_opdracht)
