"""The composition root: the one place that wires concrete parts to the ports. Nothing connects at import."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import structlog
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.api.app import create_app
from gateway.api.deps import Afhankelijkheden
from gateway.domain.audit import CHECKPOINT_MAX_LEEFTIJD_S
from gateway.domain.convenant import Convenanten
from gateway.domain.ports import Bron, Klok
from gateway.infrastructure.convenant_loader import laad_convenanten
from gateway.infrastructure.db.engine import maak_engine
from gateway.infrastructure.db.uow import SqlUnitOfWorkFactory
from gateway.infrastructure.db.boom import SqlAuditBewijzen
from gateway.infrastructure.db.lezers import SqlAuditLezer, SqlGebeurtenisLezer
from gateway.infrastructure.db.sleutelrotatie import SqlIdentiteitRijen
from gateway.infrastructure.db.uow import checkpoint_indien_nodig
from gateway.infrastructure.db.fouten import DATABASEFOUTEN, veilige_oorzaak
from gateway.infrastructure.gereedheid import Gereedheid, Schrijffouten, standaard_controles
from gateway.infrastructure.outbox_opruimen import ruim_outbox_op
from gateway.infrastructure.identity import AesGcmKluis
from gateway.infrastructure.kafka_relay import OutboxRelay
from gateway.infrastructure.observability import Metrieken, configureer_tracing
from gateway.infrastructure.audit.getuigen import CheckpointMap
from gateway.infrastructure.audit.sleutels import Ondertekenaar, laad_ondertekenaar
from gateway.infrastructure.settings import Instellingen
from gateway.infrastructure.tokens import (
    JwksBron,
    JwtControle,
    TokenUitgever,
    laad_clients,
    laad_of_maak_tokensleutel,
    maak_oauth_router,
)
from gateway.services.afspraken import AfspraakDienst
from gateway.services.audit import AuditDienst
from gateway.services.bewijzen import BewijsDienst
from gateway.services.gebeurtenissen import GebeurtenisDienst
from gateway.services.casussen import CasusDienst
from gateway.services.common import Omgeving
from gateway.services.overleggen import OverlegDienst
from gateway.services.sleutelrotatie import IdentiteitRotatie
from gateway.services.toestemmingen import ToestemmingDienst
from gateway.services.verwijzingen import VerwijzingDienst

log = structlog.get_logger("ketenpoort.bootstrap")


class SysteemKlok:
    def nu(self) -> datetime:
        return datetime.now(timezone.utc)


@dataclass
class Container:
    instellingen: Instellingen
    engine: AsyncEngine
    uow: SqlUnitOfWorkFactory
    convenanten: Convenanten
    omgeving: Omgeving
    uitgever: TokenUitgever | None
    afhankelijkheden: Afhankelijkheden
    bronnen: Mapping[str, Bron] = field(default_factory=dict)
    app: FastAPI = field(init=False)
    ondertekenaar: Ondertekenaar | None = None
    relay: OutboxRelay | None = None
    gereedheid: Gereedheid | None = None  # /ready's named checks; add more with gereedheid.voeg_toe

    async def sluit(self) -> None:
        for bron in self.bronnen.values():
            await bron.sluit()
        await self.engine.dispose()


async def _periodiek(naam: str, interval: float, werk: Callable[[], Awaitable[object]]) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await werk()
        except asyncio.CancelledError:
            raise
        except Exception as e:  # noqa: BLE001 - a background chore must outlive one failure
            log.error("achtergrond.fout", taak=naam, fout=type(e).__name__)


def achtergrondtaken(c: Container) -> dict[str, Awaitable[None]]:
    """What `serve`/`demo` run beside the API: the relay, periodic checkpoints, overdue afspraken."""
    taken: dict[str, Awaitable[None]] = {}
    if c.relay is not None:
        taken["relay"] = c.relay.run()
    if c.ondertekenaar is not None:
        ondertekenaar = c.ondertekenaar

        async def checkpoints() -> None:
            for huis in c.convenanten.per_huis:
                async with c.engine.begin() as conn:
                    gemaakt = await checkpoint_indien_nodig(conn, huis, ondertekenaar, CHECKPOINT_MAX_LEEFTIJD_S)
                if gemaakt is not None and c.uow.getuige is not None:  # committed: now it may be witnessed
                    await c.uow.getuige.schrijf_alle([gemaakt])

        taken["checkpoints"] = _periodiek("checkpoints", 10.0, checkpoints)
    afspraken = c.afhankelijkheden.afspraken

    async def verlopen() -> None:
        for huis in c.convenanten.per_huis:
            await afspraken.meld_verlopen(huis)

    taken["verlopen"] = _periodiek("verlopen", 60.0, verlopen)
    inst = c.instellingen

    async def outbox_opruimen() -> None:
        weg = await ruim_outbox_op(c.engine, bewaar_s=inst.outbox_bewaar_seconds, met_kafka=c.relay is not None)
        if weg:
            log.info("outbox.opgeruimd", rijen=weg, kafka=c.relay is not None)

    taken["outbox_opruimen"] = _periodiek("outbox_opruimen", min(60.0, inst.outbox_bewaar_seconds / 10),
                                          outbox_opruimen)
    return taken


def identiteitssleutel(instellingen: Instellingen) -> str:
    if instellingen.identity_key is None:
        raise SystemExit("KETENPOORT_IDENTITY_KEY ontbreekt (ten minste 32 tekens); `ketenpoort demo` maakt er een")
    return instellingen.identity_key.get_secret_value()


def maak_kluis(instellingen: Instellingen) -> AesGcmKluis:
    """The identity vault: the current key (IDENTITY_KEY, version IDENTITY_KEY_VERSION) and the previous ones."""
    vorige = {v: s.get_secret_value() for v, s in instellingen.identity_keys_previous.items()}
    return AesGcmKluis(identiteitssleutel(instellingen), versie=instellingen.identity_key_version, vorige=vorige)


@asynccontextmanager
async def identiteit_rotatie(instellingen: Instellingen) -> AsyncIterator[IdentiteitRotatie]:
    """`ketenpoort sleutels identiteit`: the rotation over the configured database and vault."""
    kluis = maak_kluis(instellingen)
    engine = maak_engine(instellingen.database_url)
    try:
        yield IdentiteitRotatie(SqlIdentiteitRijen(engine), kluis)
    finally:
        await engine.dispose()


def demo_sleutel(map_: Path) -> str:
    """The demo's identity key, generated once into its data directory (demo only)."""
    map_.mkdir(parents=True, exist_ok=True)
    pad = map_ / "identity.key"
    if not pad.exists():
        pad.write_text(secrets.token_urlsafe(48))
        pad.chmod(0o600)
    return pad.read_text().strip()


def maak_bronnen(config_dir: Path, mock_base_port: int | None = None) -> dict[str, Bron]:
    """One adapter per source system in bronnen.yaml (none configured: every source niet_beschikbaar)."""
    from adapters import laad_bronnen_config, maak_bron

    pad = config_dir / "bronnen.yaml"
    if not pad.exists():
        log.warning("bronnen.niet_geconfigureerd", pad=str(pad))
        return {}
    return {systeem: maak_bron(systeem, cfg)
            for systeem, cfg in laad_bronnen_config(pad, mock_base_port=mock_base_port).items()}


def bouw(
    instellingen: Instellingen,
    *,
    klok: Klok | None = None,
    bronnen: Mapping[str, Bron] | None = None,
    mock_base_port: int | None = None,
) -> Container:
    configureer_tracing()
    config_dir = Path(instellingen.config_dir)
    convenanten = laad_convenanten(config_dir)
    engine = maak_engine(instellingen.database_url, timeout_s=instellingen.database_timeout)
    ondertekenaar = None
    if instellingen.signing_key is not None:
        ondertekenaar = laad_ondertekenaar(Path(instellingen.signing_key))
    else:
        log.warning("audit.geen_ondertekeningssleutel", gevolg="geen checkpoints; afkappen niet aantoonbaar")
    metrieken = Metrieken()
    getuige = CheckpointMap(instellingen.checkpoint_dir) if instellingen.checkpoint_dir else None
    schrijffouten = Schrijffouten()
    uow = SqlUnitOfWorkFactory(engine, ondertekenaar, getuige=getuige, teller=metrieken.audit_vastgelegd,
                               schrijffouten=schrijffouten)
    kluis = maak_kluis(instellingen)
    identiteiten = SqlIdentiteitRijen(engine)
    omgeving = Omgeving(uow=uow, convenanten=convenanten, kluis=kluis,
                        klok=klok or SysteemKlok())

    uitgever: TokenUitgever | None = None
    if instellingen.jwks_url:
        controle = JwtControle(issuer=instellingen.token_issuer, audience=instellingen.token_audience,
                               sleutels=JwksBron(instellingen.jwks_url))
    else:
        sleutel = laad_of_maak_tokensleutel(Path(instellingen.token_key)) if instellingen.token_key else None
        uitgever = TokenUitgever(laad_clients(config_dir / "clients.yaml"), issuer=instellingen.token_issuer,
                                 audience=instellingen.token_audience, ttl=instellingen.token_ttl_seconds,
                                 sleutel=sleutel)
        controle = JwtControle(issuer=instellingen.token_issuer, audience=instellingen.token_audience,
                               sleutels=uitgever.sleutelset())

    gereedheid = Gereedheid(standaard_controles(
        engine, schrijffouten=schrijffouten, schrijffout_venster_s=instellingen.ready_schrijffout_seconds,
        met_relay=bool(instellingen.kafka_bootstrap), geen_leider_s=instellingen.ready_geen_leider_seconds,
        outbox_leeftijd_s=instellingen.ready_outbox_leeftijd_seconds), timeout_s=instellingen.database_timeout)

    async def identiteitssleutels() -> str | None:
        # A row under a key this replica does not hold would not be found: the person would get a second
        # betrokkene. Out of rotation until configured (docs/sleutelrotatie-identiteit.md).
        if await identiteiten.onbekende_versie(kluis.versies):
            return "rijen met een niet geconfigureerde sleutelversie; zie `ketenpoort sleutels identiteit status`"
        return None

    gereedheid.voeg_toe("identiteiten", identiteitssleutels)

    async def gereed() -> dict[str, Any]:
        ok, controles = await gereedheid.rapport()
        rapport: dict[str, Any] = {"status": "ok" if ok and convenanten.per_huis else "niet_gereed",
                                   "convenanten": sorted(convenanten.per_huis), "controles": controles}
        rapport["database"] = controles.get("database", "ok")
        # Sources are reported, not required: a partner outage is niet_beschikbaar, not a dead gateway.
        rapport["bronnen"] = {s: getattr(b, "circuit", "onbekend") for s, b in (bronnen or {}).items()}
        return rapport

    if bronnen is None:
        bronnen = maak_bronnen(config_dir, mock_base_port)
    afh = Afhankelijkheden(
        casussen=CasusDienst(omgeving),
        overleggen=OverlegDienst(omgeving),
        afspraken=AfspraakDienst(omgeving),
        toestemmingen=ToestemmingDienst(omgeving),
        verwijzingen=VerwijzingDienst(omgeving, bronnen, deadline=instellingen.verwijzing_deadline_seconds,
                                      max_opvragingen=instellingen.max_lopende_opvragingen,
                                      venster=(instellingen.opvraag_venster_dagen_voor,
                                               instellingen.opvraag_venster_dagen_na)),
        audit=AuditDienst(omgeving, SqlAuditLezer(engine)),
        gebeurtenissen=GebeurtenisDienst(omgeving, SqlGebeurtenisLezer(engine)),
        tokens=controle,
        gereed=gereed,
        metrieken=metrieken,
        max_body_bytes=instellingen.max_body_bytes,
        publieke_sleutel=ondertekenaar.publieke_sleutel_pem() if ondertekenaar else None,
        sleutelring=ondertekenaar.ring.bytes() if ondertekenaar else None,
        bewijzen=BewijsDienst(SqlAuditBewijzen(engine)),
        cors_origins=tuple(instellingen.cors_origins),
        max_header_bytes=instellingen.max_header_bytes,
        stream_ticket_seconds=instellingen.stream_ticket_seconds,
        databasefouten=DATABASEFOUTEN, oorzaak=veilige_oorzaak, retry_after=instellingen.retry_after_seconds,
        keepalive=(instellingen.keepalive_max_verzoeken, instellingen.keepalive_max_seconds),
    )
    container = Container(instellingen, engine, uow, convenanten, omgeving, uitgever, afh, bronnen)
    container.ondertekenaar = ondertekenaar
    container.gereedheid = gereedheid
    if instellingen.kafka_bootstrap:
        container.relay = OutboxRelay(engine, instellingen.kafka_bootstrap, audit_topic=instellingen.audit_topic,
                                      events_topic=instellingen.events_topic,
                                      lease_s=instellingen.relay_lease_seconds, registry=afh.metrieken.registry)

    @asynccontextmanager
    async def lifespan(_: FastAPI):  # noqa: ANN202
        log.info("gateway.gestart", huizen=sorted(convenanten.per_huis), kafka=bool(instellingen.kafka_bootstrap),
                 checkpoints=ondertekenaar is not None)
        taken = [asyncio.create_task(t, name=n) for n, t in achtergrondtaken(container).items()]
        try:
            yield
        finally:
            for taak in taken:
                taak.cancel()
            await asyncio.gather(*taken, return_exceptions=True)
            if container.relay is not None:
                await container.relay.sluit()
            await container.sluit()
            log.info("gateway.gestopt")

    routers = [maak_oauth_router(uitgever)] if uitgever else []
    container.app = create_app(afh, extra_routers=routers, lifespan=lifespan)
    return container


@dataclass
class AuditCli:
    """What `ketenpoort audit replay|inzage` use: the API's own AuditDienst over the ledger or the topic."""

    dienst: AuditDienst
    convenanten: Convenanten
    engine: AsyncEngine

    async def sluit(self) -> None:
        await self.engine.dispose()


def bouw_audit_cli(instellingen: Instellingen, *, kafka: tuple[str, str] | None = None) -> AuditCli:
    """The privacy officer's reads on the command line, wired as in the API: each read is recorded in the
    chain (the database of ``instellingen``) before anything is read; ``kafka`` (bootstrap, topic) reads the
    topic instead of the ledger."""
    from gateway.infrastructure.audit.kafka_lezer import KafkaAuditLezer

    convenanten = laad_convenanten(Path(instellingen.config_dir))
    engine = maak_engine(instellingen.database_url)
    ondertekenaar = laad_ondertekenaar(Path(instellingen.signing_key)) if instellingen.signing_key else None
    getuige = CheckpointMap(instellingen.checkpoint_dir) if instellingen.checkpoint_dir else None
    uow = SqlUnitOfWorkFactory(engine, ondertekenaar, getuige=getuige)
    omgeving = Omgeving(uow=uow, convenanten=convenanten, kluis=maak_kluis(instellingen), klok=SysteemKlok())
    lezer = KafkaAuditLezer(*kafka) if kafka is not None else SqlAuditLezer(engine)
    return AuditCli(AuditDienst(omgeving, lezer), convenanten, engine)
