"""The composition root: the one place that wires concrete parts to the ports. Nothing connects at import."""

from __future__ import annotations

import secrets
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import structlog
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.api.app import create_app
from gateway.api.deps import Afhankelijkheden
from gateway.domain.convenant import Convenanten
from gateway.domain.ports import Bron, Klok, UnitOfWorkFactory
from gateway.infrastructure.convenant_loader import laad_convenanten
from gateway.infrastructure.db.engine import maak_engine
from gateway.infrastructure.db.uow import SqlUnitOfWorkFactory
from gateway.infrastructure.identity import AesGcmKluis
from gateway.infrastructure.observability import Metrieken, configureer_tracing
from gateway.infrastructure.settings import Instellingen
from gateway.infrastructure.tokens import JwksBron, JwtControle, TokenUitgever, laad_clients, maak_oauth_router
from gateway.services.afspraken import AfspraakDienst
from gateway.services.casussen import CasusDienst
from gateway.services.common import Omgeving
from gateway.services.overleggen import OverlegDienst
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
    uow: UnitOfWorkFactory
    convenanten: Convenanten
    omgeving: Omgeving
    uitgever: TokenUitgever | None
    afhankelijkheden: Afhankelijkheden
    bronnen: Mapping[str, Bron] = field(default_factory=dict)
    app: FastAPI = field(init=False)
    achtergrond: list[Any] = field(default_factory=list)

    async def sluit(self) -> None:
        for bron in self.bronnen.values():
            await bron.sluit()
        await self.engine.dispose()


def identiteitssleutel(instellingen: Instellingen) -> str:
    if instellingen.identity_key is None:
        raise SystemExit("KETENPOORT_IDENTITY_KEY ontbreekt (ten minste 32 tekens); `ketenpoort demo` maakt er een")
    return instellingen.identity_key.get_secret_value()


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
    engine = maak_engine(instellingen.database_url)
    uow = SqlUnitOfWorkFactory(engine)
    omgeving = Omgeving(uow=uow, convenanten=convenanten, kluis=AesGcmKluis(identiteitssleutel(instellingen)),
                        klok=klok or SysteemKlok())

    uitgever: TokenUitgever | None = None
    if instellingen.jwks_url:
        controle = JwtControle(issuer=instellingen.token_issuer, audience=instellingen.token_audience,
                               sleutels=JwksBron(instellingen.jwks_url))
    else:
        uitgever = TokenUitgever(laad_clients(config_dir / "clients.yaml"), issuer=instellingen.token_issuer,
                                 audience=instellingen.token_audience, ttl=instellingen.token_ttl_seconds)
        controle = JwtControle(issuer=instellingen.token_issuer, audience=instellingen.token_audience,
                               sleutels=uitgever.sleutelset())

    async def gereed() -> dict[str, Any]:
        rapport: dict[str, Any] = {"status": "ok", "convenanten": sorted(convenanten.per_huis)}
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1 FROM huis_tellers LIMIT 1"))
            rapport["database"] = "ok"
        except Exception as e:  # noqa: BLE001 - readiness reports, never raises
            rapport.update(status="niet_gereed", database=f"onbereikbaar of niet gemigreerd ({type(e).__name__})")
        if not convenanten.per_huis:
            rapport["status"] = "niet_gereed"
        return rapport

    if bronnen is None:
        bronnen = maak_bronnen(config_dir, mock_base_port)
    afh = Afhankelijkheden(
        casussen=CasusDienst(omgeving),
        overleggen=OverlegDienst(omgeving),
        afspraken=AfspraakDienst(omgeving),
        toestemmingen=ToestemmingDienst(omgeving),
        verwijzingen=VerwijzingDienst(omgeving, bronnen, deadline=instellingen.verwijzing_deadline_seconds),
        tokens=controle,
        gereed=gereed,
        metrieken=Metrieken(),
        max_body_bytes=instellingen.max_body_bytes,
    )
    container = Container(instellingen, engine, uow, convenanten, omgeving, uitgever, afh, bronnen)

    @asynccontextmanager
    async def lifespan(_: FastAPI):  # noqa: ANN202
        log.info("gateway.gestart", huizen=sorted(convenanten.per_huis))
        try:
            yield
        finally:
            await container.sluit()
            log.info("gateway.gestopt")

    routers = [maak_oauth_router(uitgever)] if uitgever else []
    container.app = create_app(afh, extra_routers=routers, lifespan=lifespan)
    return container
