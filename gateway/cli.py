"""The `ketenpoort` command (CONTRACT.md §1). Commands and flags are English; output speaks Dutch domain terms."""

from __future__ import annotations

import asyncio
import contextlib
import os
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from gateway.cli_audit import audit_app
from gateway.cli_bewijzen import registreer as _registreer_bewijzen
from gateway.cli_sleutels import sleutels_app
from gateway.cli_sleutels_identiteit import identiteit_app
from gateway.domain.convenant import Uitwisseling, decide
from gateway.domain.model import GegevenDoor, Toestemming

app = typer.Typer(help="Ketenpoort: dat-informatie tussen partners van een Zorg- en Veiligheidshuis.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
convenant_app = typer.Typer(help="Het convenant van een huis controleren en uitleggen.", no_args_is_help=True)
db_app = typer.Typer(help="Databasebeheer.", no_args_is_help=True)
app.add_typer(convenant_app, name="convenant")
app.add_typer(db_app, name="db")
_registreer_bewijzen(audit_app)
app.add_typer(audit_app, name="audit")
app.add_typer(sleutels_app, name="sleutels")
sleutels_app.add_typer(identiteit_app, name="identiteit")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DEMO_DATA = Path(".ketenpoort")


def _instellingen(**overrides: object):  # noqa: ANN202
    from gateway.infrastructure.settings import Instellingen

    return Instellingen(**{k: v for k, v in overrides.items() if v is not None})


@convenant_app.command("validate")
def convenant_validate(file: Annotated[Path, typer.Argument(help="convenant YAML")]) -> None:
    """Exit 0 with a one-line summary when valid; exit 1 with every problem, one per line, when not."""
    from gateway.infrastructure.convenant_loader import laad_convenant, samenvatting, valideer_bestand

    problemen = valideer_bestand(file)
    if problemen:
        for p in problemen:
            err.print(str(p), markup=False, highlight=False)
        raise typer.Exit(1)
    c = laad_convenant(file)
    out.print(samenvatting(c), markup=False, highlight=False)
    for w in c.waarschuwingen:  # judgement calls (issue 11): on stderr, so stdout stays one line
        err.print(f"waarschuwing: {w}", markup=False, highlight=False)


@convenant_app.command("explain")
def convenant_explain(
    file: Annotated[Path, typer.Argument(help="convenant YAML")],
    bron: Annotated[str, typer.Option("--bron", help="partner whose source system would tell")],
    ontvanger: Annotated[str, typer.Option("--ontvanger", help="partner asking")],
    overlegtype: Annotated[str, typer.Option("--overlegtype")],
    toestemming: Annotated[Optional[list[str]], typer.Option("--toestemming", help="categorie with valid consent")] = None,
    leeftijd: Annotated[Optional[int], typer.Option("--leeftijd", help="age of the person (consent rule)")] = None,
    peildatum: Annotated[Optional[str], typer.Option("--peildatum", help="YYYY-MM-DD, default today")] = None,
    gemeente: Annotated[Optional[str], typer.Option("--gemeente", help="the casus's municipality (nazorg)")] = None,
) -> None:
    """Print the decision (toegestaan/geweigerd), the rule and legal basis, or the reason for refusal."""
    from datetime import datetime, timezone
    from uuid import uuid4

    from gateway.infrastructure.convenant_loader import ConvenantOngeldig, laad_convenant

    try:
        c = laad_convenant(file)
    except ConvenantOngeldig as e:
        for p in e.problemen:
            err.print(str(p), markup=False, highlight=False)
        raise typer.Exit(1) from None
    dag = date.fromisoformat(peildatum) if peildatum else datetime.now(timezone.utc).date()
    # Consent named on the command line is taken as given by whoever the age rule requires.
    gever = GegevenDoor.WETTELIJK_VERTEGENWOORDIGER if leeftijd is not None and leeftijd < 12 else GegevenDoor.BETROKKENE
    nu = datetime.now(timezone.utc).replace(year=dag.year, month=dag.month, day=dag.day)
    toestemmingen = tuple(
        Toestemming(uuid4(), c.huis, uuid4(), cat, gever, "cli", nu) for cat in (toestemming or [])
    )
    b = decide(c, Uitwisseling(bron=bron, ontvanger=ontvanger, overlegtype=overlegtype, peildatum=dag,
                               leeftijd=leeftijd, toestemmingen=toestemmingen, casus_gemeente=gemeente))
    if b.toegestaan:
        out.print(f"toegestaan: regel {b.regel}, grondslag {b.grondslag}, categorie {b.categorie}, "
                  f"niveau {b.niveau.value if b.niveau else '-'}"
                  + ("" if b.verder_verstrekken else ", niet verder verstrekken"), markup=False, highlight=False)
    else:
        out.print(f"geweigerd: regel {b.regel}: {b.reden}", markup=False, highlight=False)
    for w in c.waarschuwingen:
        out.print(f"waarschuwing: {w}", markup=False, highlight=False)


@db_app.command("upgrade")
def db_upgrade(
    database_url: Annotated[Optional[str], typer.Option("--database-url", envvar="KETENPOORT_DATABASE_URL")] = None,
) -> None:
    """Run the Alembic migrations up to the newest revision."""
    from gateway.infrastructure.db.migrate import upgrade

    url = database_url or _instellingen().database_url
    asyncio.run(upgrade(url))
    out.print("database bijgewerkt tot de nieuwste revisie", highlight=False)


def _uvicorn_server(app, host: str, port: int):  # noqa: ANN001, ANN202
    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False, lifespan="on")
    return uvicorn.Server(config)


@app.command()
def serve(
    config: Annotated[Optional[Path], typer.Option("--config", help="configuration directory")] = None,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
) -> None:
    """The gateway alone, configured by --config and KETENPOORT_* environment variables."""
    from gateway.bootstrap import bouw
    from gateway.infrastructure.observability import configureer_logging

    inst = _instellingen(config_dir=config)
    configureer_logging(inst.log_level, inst.log_json)
    container = bouw(inst)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is a clean stop, exit 0
        asyncio.run(_uvicorn_server(container.app, host, port).serve())


@app.command()
def mocks(
    base_port: Annotated[int, typer.Option("--base-port")] = 8100,
    source_data: Annotated[Path, typer.Option("--source-data")] = Path("deploy/demo/brondata.yaml"),
) -> None:
    """The four mock source systems: BPS base+1, JCO-support base+2, Depan base+3, VIR base+4."""
    from adapters import serve_mocks

    out.print(f"mocks: BPS :{base_port + 1}  JCO-support :{base_port + 2}  Depan :{base_port + 3}  "
              f"VIR :{base_port + 4}  (Ctrl-C stopt)", highlight=False)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_mocks(base_port, source_data))


@app.command()
def demo(
    port: Annotated[int, typer.Option("--port")] = 8000,
    mock_base_port: Annotated[int, typer.Option("--mock-base-port")] = 8100,
    database_url: Annotated[Optional[str], typer.Option("--database-url")] = None,
    source_data: Annotated[Optional[Path], typer.Option("--source-data")] = None,
    kafka_bootstrap: Annotated[Optional[str], typer.Option("--kafka-bootstrap")] = None,
    config: Annotated[Optional[Path], typer.Option("--config")] = None,
) -> None:
    """Four mocks and the gateway with the demo houses: SQLite, built-in token issuer, no Kafka needed."""
    from gateway.bootstrap import bouw, demo_sleutel
    from gateway.infrastructure.db.migrate import upgrade
    from gateway.infrastructure.observability import configureer_logging

    from gateway.infrastructure.audit.sleutels import laad_of_maak_sleutel

    config_dir = config or Path("deploy/demo")
    # Demo secrets are generated once into .ketenpoort/ (demo only; production supplies its own).
    os.environ.setdefault("KETENPOORT_IDENTITY_KEY", demo_sleutel(DEMO_DATA))
    if "KETENPOORT_SIGNING_KEY" not in os.environ:
        laad_of_maak_sleutel(DEMO_DATA / "signing.key", maak=True)
        os.environ["KETENPOORT_SIGNING_KEY"] = str(DEMO_DATA / "signing.key")
    inst = _instellingen(config_dir=config_dir, database_url=database_url, kafka_bootstrap=kafka_bootstrap)
    configureer_logging(inst.log_level, inst.log_json)
    asyncio.run(upgrade(inst.database_url))
    container = bouw(inst, mock_base_port=mock_base_port)
    brondata = source_data or config_dir / "brondata.yaml"

    async def _alles() -> None:
        from adapters import serve_mocks

        mocks_taak = asyncio.create_task(serve_mocks(mock_base_port, brondata))
        try:
            await _uvicorn_server(container.app, "127.0.0.1", port).serve()
        finally:
            mocks_taak.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await mocks_taak

    out.print(
        f"[bold]Ketenpoort demo[/bold]  gateway http://localhost:{port}  docs http://localhost:{port}/docs\n"
        f"mocks: BPS :{mock_base_port + 1}  JCO-support :{mock_base_port + 2}  Depan :{mock_base_port + 3}  "
        f"VIR :{mock_base_port + 4}\n"
        f"audit: ledger in de database{' en Kafka ' + kafka_bootstrap if kafka_bootstrap else ''}; "
        f"publieke sleutel voor verify: {DEMO_DATA / 'signing.pub'}\n"
        f"token: curl -s -d grant_type=client_credentials -d client_id=demo-politie "
        f"-d client_secret=demo-politie-geheim http://localhost:{port}/oauth/token\n"
        "Ctrl-C stopt alles.",
        highlight=False,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_alles())


if __name__ == "__main__":
    app()
