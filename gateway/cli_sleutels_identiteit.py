"""`ketenpoort sleutels identiteit status|rotate`: identity key rotation (docs/sleutelrotatie-identiteit.md).

Exit codes: 0 every identity row is on the current key; 1 rows are left on previous keys (status), or
could not be re-keyed (rotate); 2 configuration error (no or invalid key, rows of a key version that is
not configured); 3 rotate stopped at --max-batches with rows left: run it again to continue.

Nothing here prints, logs or raises a BSN or a pseudonym: rows are named by their betrokkene id.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, NoReturn, Optional

import structlog
import typer
from rich.console import Console

identiteit_app = typer.Typer(
    help="Identiteitssleutels: stand per sleutelversie (status) en alle identiteiten hersleutelen (rotate).",
    no_args_is_help=True, pretty_exceptions_enable=False, pretty_exceptions_show_locals=False,
)
log = structlog.get_logger("ketenpoort.sleutelrotatie")

DbOpt = Annotated[Optional[str], typer.Option("--database-url", metavar="URL",
                                              help="database (default KETENPOORT_DATABASE_URL)")]


def _out() -> Console:
    return Console(soft_wrap=True, highlight=False)


def _err() -> Console:
    return Console(stderr=True, soft_wrap=True, highlight=False)


def _stop(code: int, melding: str) -> NoReturn:
    _err().print(melding, markup=False)
    raise typer.Exit(code)


def _instellingen(database_url: str | None):  # noqa: ANN202
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    from gateway.infrastructure.settings import Instellingen

    try:
        inst = Instellingen(**({"database_url": database_url} if database_url else {}))
    except ValidationError as e:
        # Name the setting, never echo its value (it is a key).
        _stop(2, "ongeldige instelling: " + ", ".join(".".join(map(str, f["loc"])) for f in e.errors()))
    except SettingsError as e:  # not JSON where JSON is asked; the text names the field and the source only
        _stop(2, f"ongeldige instelling: {e}")
    if inst.identity_key is None:
        _stop(2, "KETENPOORT_IDENTITY_KEY ontbreekt")
    return inst


def _stand_regel(stand) -> str:  # noqa: ANN001
    delen = [f"versie {v}: {n}" + (" (huidig)" if v == stand.huidig else "")
             + (" (sleutel niet geconfigureerd)" if v in stand.onbekend else "")
             for v, n in sorted(stand.per_versie.items())]
    return f"identiteiten per sleutelversie: {', '.join(delen) or 'geen'}; huidige versie {stand.huidig}"


def _voer_uit(database_url: str | None, werk):  # noqa: ANN001, ANN202
    from gateway.bootstrap import identiteit_rotatie, maak_kluis
    from gateway.services.sleutelrotatie import OnbekendeSleutelversie

    inst = _instellingen(database_url)
    try:
        maak_kluis(inst)
    except ValueError as e:  # the vault refuses the key configuration; its messages name settings only
        _stop(2, f"identiteitssleutels ongeldig: {e}")

    async def _draai():  # noqa: ANN202
        async with identiteit_rotatie(inst) as rotatie:
            return await werk(rotatie)

    try:
        return asyncio.run(_draai())
    except OnbekendeSleutelversie as e:
        _stop(2, f"{e}; zet die sleutel(s) in KETENPOORT_IDENTITY_KEYS_PREVIOUS (er is niets gewijzigd)")
    except typer.Exit:
        raise
    except Exception as e:  # noqa: BLE001 - a database failure: its text may carry statement parameters
        log.error("sleutelrotatie.fout", fout=type(e).__name__)
        _stop(1, f"gestopt door een fout ({type(e).__name__}); opnieuw starten gaat verder waar het stopte")


@identiteit_app.command("status")
def status(database_url: DbOpt = None) -> None:
    """Identity rows per key version; exit 0 when every row is on the current key."""
    stand = _voer_uit(database_url, lambda r: r.stand())
    _out().print(_stand_regel(stand), markup=False)
    if stand.onbekend:
        raise typer.Exit(2)
    if stand.te_doen:
        _out().print(f"nog {stand.te_doen} identiteiten op een vorige sleutel: "
                     "`ketenpoort sleutels identiteit rotate`", markup=False)
        raise typer.Exit(1)


@identiteit_app.command("rotate")
def rotate(
    database_url: DbOpt = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, max=10_000,
                                            help="rows per transaction")] = 500,
    max_batches: Annotated[Optional[int], typer.Option(
        "--max-batches", min=1, help="stop after this many batches (run again to go on)")] = None,
    pause: Annotated[float, typer.Option("--pause", min=0.0, max=60.0,
                                         help="seconds between batches, to spare a busy database")] = 0.0,
) -> None:
    """Re-encrypt every BSN and re-derive every pseudonym under the current identity key.

    Online (the gateway keeps serving), in batches of one transaction each, resumable and idempotent.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    err = _err()

    async def werk(rotatie):  # noqa: ANN001, ANN202
        voor = await rotatie.stand()
        log.info("sleutelrotatie.gestart", huidige_versie=voor.huidig, te_doen=voor.te_doen,
                 per_versie={str(v): n for v, n in voor.per_versie.items()})
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=err, transient=True, disable=not err.is_terminal) as progress:
            taak = progress.add_task(f"hersleutelen naar versie {voor.huidig}", total=voor.te_doen)
            verslag = await rotatie.roteer(partijgrootte=batch_size, max_partijen=max_batches, pauze=pause,
                                           bij_partij=lambda n: progress.advance(taak, n))
        return verslag, await rotatie.stand()

    verslag, na = _voer_uit(database_url, werk)
    log.info("sleutelrotatie.klaar", herschreven=verslag.herschreven, partijen=verslag.partijen,
             veranderd=verslag.veranderd, dubbel=len(verslag.dubbel), onleesbaar=len(verslag.onleesbaar),
             te_doen=na.te_doen)
    out = _out()
    out.print(f"{verslag.herschreven} identiteiten hersleuteld naar versie {na.huidig} in {verslag.partijen} "
              f"partijen ({verslag.veranderd} intussen al gewijzigd, {verslag.overgeslagen} overgeslagen)",
              markup=False)
    for d in verslag.dubbel:
        out.print(f"betrokkene {d.betrokkene_id}: onder de nieuwe sleutel dezelfde persoon als betrokkene "
                  f"{d.andere_betrokkene_id}; niet hersleuteld (zie docs/sleutelrotatie-identiteit.md)", markup=False)
    for b in verslag.onleesbaar:
        out.print(f"betrokkene {b}: niet te ontsleutelen met de sleutel van zijn versie; niet hersleuteld",
                  markup=False)
    out.print(_stand_regel(na), markup=False)
    if verslag.onderbroken:
        out.print(f"gestopt na {verslag.partijen} partijen (--max-batches); nog {na.te_doen} te doen: "
                  "opnieuw starten gaat verder", markup=False)
        raise typer.Exit(3)
    if na.te_doen:
        raise typer.Exit(1)
