"""`ketenpoort audit verify`: the hash chain, the signed checkpoints, the ledger's columns, every house."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from gateway.domain.audit import (
    CHECKPOINT_ELKE, CHECKPOINT_MAX_LEEFTIJD_S, CHECKPOINT_TYPE, Bevinding, Breuktype, KetenVerificatie, Verslag,
)
from gateway.infrastructure.audit.bron import Kolomafwijking

from .gedeeld import (
    STANDAARD_PUBLIEKE_SLEUTEL, DbOpt, HuisOpt, KafkaOpt, TopicOpt, VerifyFormaat, _Bron, _bron, _instellingen, _out,
    _schrijf_json, _stop, _voer_uit, _Voortgang, audit_app,
)


# Exit codes of `audit verify` (docs/audit.md); 2 is a usage error (typer's own).
INTACT, GEBROKEN, OUDE_STAART, GEEN_SLEUTEL = 0, 1, 3, 4
# The periodic checkpoint comes after CHECKPOINT_MAX_LEEFTIJD_S, from a task that runs every 10 s.
STAART_TERMIJN_S = CHECKPOINT_MAX_LEEFTIJD_S + 10.0

_EXIT_HULP = (f"Exit codes: {INTACT} intact; {GEBROKEN} broken (the first broken volgnummer and what is wrong), or "
              f"the log could not be read; 2 usage error; {OUDE_STAART} intact, but events after the last "
              f"checkpoint are older than {STAART_TERMIJN_S:.0f} s (checkpointing has stopped); {GEEN_SLEUTEL} no public "
              "key or keyring: the chain closes, but without signed checkpoints it cannot be called intact.")


def _sleutelring(publieke_sleutels: list[Path], ringen: list[Path]) -> tuple[Any, list[str]]:
    """The keys from --public-key and --keyring (each repeatable, each a PEM file or a keyring), else
    KETENPOORT_SIGNING_KEY's keyring or `.pub`, else .ketenpoort/signing.keyring.json or signing.pub."""
    from gateway.infrastructure.audit.sleutels import Sleutelring, publiek_pad, sleutelring_pad

    paden = [*publieke_sleutels, *ringen]
    if not paden:
        signing = _instellingen().signing_key
        kandidaten = ([sleutelring_pad(Path(signing)), publiek_pad(Path(signing))] if signing else
                      [sleutelring_pad(STANDAARD_PUBLIEKE_SLEUTEL.with_suffix(".key")), STANDAARD_PUBLIEKE_SLEUTEL])
        paden = [next((k for k in kandidaten if k.exists()), kandidaten[-1])]
        if not paden[0].exists():
            return None, []
    else:
        for pad in paden:
            if not pad.exists():
                _stop(2, f"publieke sleutel of sleutelring {pad} bestaat niet")
    try:
        ring = Sleutelring().met(*(Sleutelring.laad(p) for p in paden))
    except (OSError, ValueError) as e:
        _stop(2, str(e))
    return ring, [str(p) for p in paden]


def _geconfigureerde_huizen(config: Path | None) -> list[str]:
    """The houses of --config (or KETENPOORT_CONFIG_DIR when set): each must have a chain."""
    import os

    if config is None:
        omgeving = os.environ.get("KETENPOORT_CONFIG_DIR")
        if not omgeving:
            return []
        config = Path(omgeving)
    from gateway.infrastructure.convenant_loader import laad_convenanten

    try:
        return sorted(laad_convenanten(config).per_huis)
    except Exception as e:  # noqa: BLE001 - an unreadable configuration is a usage error here
        _stop(2, f"configuratie {config} is niet te lezen ({type(e).__name__})")


async def _verifieer(bron: _Bron, huis: str | None, controle: Any, voortgang: _Voortgang, *,
                     huizen: list[str], getuigen: list[str], getuige_kafka: str | None = None) -> list[Verslag]:
    from gateway.infrastructure.audit import Reeks, tellerstanden
    from gateway.infrastructure.audit.database_lezer import tijdstippen
    from gateway.infrastructure.audit.getuigen import lees_getuige

    verwacht: dict[str, tuple[int, str]] = {}
    if bron.is_database:
        assert bron.database_url is not None
        verwacht = await tellerstanden(bron.database_url, huis)  # read before the ledger: it can only grow

    verificaties: dict[str, KetenVerificatie] = {}

    def verificatie(h: str) -> KetenVerificatie:
        v = verificaties.get(h)
        if v is None:
            v = verificaties[h] = KetenVerificatie(h, controle, begin_verplicht=bron.is_database,
                                                   verwacht_laatste=verwacht.get(h), checkpoint_elke=CHECKPOINT_ELKE)
        return v

    for h in [*verwacht, *huizen]:
        verificatie(h)
    # Kafka: the time of the first event after the last checkpoint read, per house (the tail's age).
    na_checkpoint: dict[str, Any] = {}
    async for h, ev, eigen in bron.lees_gehasht(huis=huis, voortgang=voortgang):
        soort = type(ev)
        if soort is Reeks:  # a run of intact events, from a helper process
            verificatie(h).voeg_toe_reeks(*ev)
        elif soort is tuple:  # an AuditKern, decoded and hashed in a helper process
            verificatie(h).voeg_toe_audit(*ev, eigen_hash=eigen)
        elif soort is Kolomafwijking:
            verificatie(h).meld_kolom(ev.volgnummer, ev.kolommen)
        else:
            if not bron.is_database:
                if ev.get("type") == CHECKPOINT_TYPE:
                    na_checkpoint[h] = None
                elif na_checkpoint.get(h) is None:
                    na_checkpoint[h] = ev.get("time")
            if eigen is None:
                verificatie(h).voeg_toe(ev)
            else:
                verificatie(h).voeg_toe(ev, eigen_hash=eigen)
    # Witnessed checkpoints last: each is held against the event it names (or beyond the end: truncated).
    for getuige in getuigen:
        async for h, ev in lees_getuige(getuige, kafka_bootstrap=getuige_kafka or bron.kafka or _instellingen().kafka_bootstrap,
                                        topic=bron.topic):
            if huis is None or h == huis:
                verificatie(h).voeg_toe(ev)
    verslagen = [verificaties[h].afronden() for h in sorted(verificaties)]
    nu = datetime.now(timezone.utc)
    if bron.is_database:
        assert bron.database_url is not None
        tijden = await tijdstippen(bron.database_url, {v.huis: v.staart_vanaf for v in verslagen
                                                       if v.staart and v.staart_vanaf is not None})
    else:
        tijden = {h: t for h, w in na_checkpoint.items() if (t := _als_tijd(w)) is not None}
    uit = []
    for v in verslagen:
        if v.aantal == 0 and v.breuk is None and v.huis in huizen and not v.hoogste:
            v = replace(v, breuk=Bevinding(1, Breuktype.ONTBREEKT, f"huis {v.huis} staat in de configuratie, maar "
                                                                   "heeft geen audit-keten (verwijderd?)"))
        t = tijden.get(v.huis)
        if v.staart and t is not None:
            t = t if t.tzinfo else t.replace(tzinfo=timezone.utc)
            v = replace(v, staart_leeftijd_s=max(0.0, (nu - t).total_seconds()))
        uit.append(v)
    return uit


def _als_tijd(w: Any) -> datetime | None:
    if not isinstance(w, str):
        return None
    try:
        return datetime.fromisoformat(w.replace("Z", "+00:00"))
    except ValueError:
        return None


@audit_app.command("verify", epilog=_EXIT_HULP)
def verify(
    kafka_bootstrap: KafkaOpt = None,
    topic: TopicOpt = None,
    database_url: DbOpt = None,
    huis: HuisOpt = None,
    public_key: Annotated[Optional[list[Path]], typer.Option(
        "--public-key", help="Ed25519 public key (PEM) or keyring (JSON) of the checkpoints; repeatable. Default "
                             "KETENPOORT_SIGNING_KEY's .keyring.json or .pub, else .ketenpoort/signing.pub")] = None,
    keyring: Annotated[Optional[list[Path]], typer.Option(
        "--keyring", help="keyring (JSON, as GET /audit/publieke-sleutel serves it) or PEM; repeatable")] = None,
    witness: Annotated[Optional[list[str]], typer.Option(
        "--witness", metavar="DIR|kafka|FILE",
        help="checkpoints kept outside the database: the checkpoint directory, the Kafka topic, or a partner's "
             "kept checkpoints (JSON lines); repeatable")] = None,
    config: Annotated[Optional[Path], typer.Option(
        "--config", help="configuration directory whose houses must all have a chain (default "
                         "KETENPOORT_CONFIG_DIR when set)")] = None,
    formaat: Annotated[VerifyFormaat, typer.Option("--format", help="text or json")] = VerifyFormaat.text,
) -> None:
    """Read the whole audit log and check the hash chain, the ledger's indexed columns, the signed
    checkpoints (one at every multiple of 100 is required) and, with --witness, the checkpoints kept elsewhere.

    Without --huis every house is checked: those in the configuration, the ledger or the topic, and the witnesses.
    """
    from gateway.infrastructure.audit import handtekening_controle

    getuigen = list(witness or [])
    beide = bool(kafka_bootstrap and database_url and "kafka" in getuigen)
    bron = _bron(None if beide else kafka_bootstrap, topic, database_url, beide_toegestaan=False)
    ring, sleutelpaden = _sleutelring(list(public_key or []), list(keyring or []))
    controle = handtekening_controle(ring) if ring is not None and len(ring) else None
    huizen = [] if huis else _geconfigureerde_huizen(config)
    with _Voortgang("audit-log controleren") as voortgang:
        verslagen: list[Verslag] = _voer_uit(_verifieer(bron, huis, controle, voortgang, huizen=huizen,
                                                         getuigen=getuigen,
                                                         getuige_kafka=kafka_bootstrap if beide else None))
    gebroken = any(not v.intact for v in verslagen) or bool(huis and not verslagen)
    if gebroken:
        code = GEBROKEN
    elif controle is None and verslagen:
        code = GEEN_SLEUTEL
    elif any(v.staart_te_oud(STAART_TERMIJN_S) for v in verslagen):
        code = OUDE_STAART
    else:
        code = INTACT
    if formaat is VerifyFormaat.json:
        _schrijf_json({"bron": bron.beschrijving(), "publiekeSleutel": sleutelpaden[0] if sleutelpaden else None,
                       "sleutelring": sleutelpaden, "getuigen": getuigen, "intact": code == INTACT,
                       "exitCode": code, "huizen": [v.als_dict() for v in verslagen]})
    else:
        out = _out()
        if not verslagen:
            out.print(f"geen audit-events gevonden{f' voor huis {huis}' if huis else ''} ({bron.beschrijving()})",
                      markup=False)
        for v in verslagen:
            out.print(v.samenvatting(), markup=False)
        if code == OUDE_STAART:
            out.print(f"LET OP: events na het laatste checkpoint zijn ouder dan {STAART_TERMIJN_S:.0f} s: "
                      "er worden geen checkpoints meer gemaakt (exit 3)", markup=False)
    raise typer.Exit(code)
