"""`ketenpoort sleutels`: the Ed25519 checkpoint signing key and its public keyring (docs/audit.md).

``nieuw`` rotates: a new key replaces the old one at KETENPOORT_SIGNING_KEY (the old private key is
overwritten), the old public key stays in the keyring valid until now + the transition, so every old
checkpoint keeps verifying by its ``sleutelId``. Restart every gateway within the transition.
``toon`` prints the keyring (as ``GET /audit/publieke-sleutel`` serves it).
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Optional

import typer

sleutels_app = typer.Typer(help="De ondertekeningssleutel van de audit-checkpoints roteren en de sleutelring tonen.",
                           no_args_is_help=True, pretty_exceptions_enable=False)

SleutelOpt = Annotated[Optional[Path], typer.Option(
    "--signing-key", help="private key file (default KETENPOORT_SIGNING_KEY)")]


def _pad(signing_key: Path | None) -> Path:
    if signing_key is not None:
        return signing_key
    from gateway.infrastructure.settings import Instellingen

    pad = Instellingen().signing_key
    if pad is None:
        typer.echo("geef --signing-key of KETENPOORT_SIGNING_KEY", err=True)
        raise typer.Exit(2)
    return Path(pad)


@sleutels_app.command("nieuw")
def nieuw(
    signing_key: SleutelOpt = None,
    overgang: Annotated[int, typer.Option("--overgang", min=0, help="minutes the old key stays valid (restart "
                                                                    "every gateway within them)")] = 15,
) -> None:
    """Create a new signing key; the old public key stays in the keyring, so old checkpoints keep verifying."""
    from gateway.infrastructure.audit.sleutels import roteer, sleutelring_pad

    pad = _pad(signing_key)
    if not pad.exists():
        typer.echo(f"ondertekeningssleutel {pad} bestaat niet", err=True)
        raise typer.Exit(2)
    nieuw_ = roteer(pad, overgang=timedelta(minutes=overgang))
    typer.echo(f"nieuwe sleutel {nieuw_.sleutel_id} in {pad}; sleutelring {sleutelring_pad(pad)} "
               f"({len(nieuw_.ring)} sleutels). Herstart elke gateway binnen {overgang} minuten.")


@sleutels_app.command("toon")
def toon(signing_key: SleutelOpt = None) -> None:
    """Print the public keyring (JSON) for verifiers and partners."""
    from gateway.infrastructure.audit.sleutels import laad_ondertekenaar

    pad = _pad(signing_key)
    if not pad.exists():
        typer.echo(f"ondertekeningssleutel {pad} bestaat niet", err=True)
        raise typer.Exit(2)
    sys.stdout.write(laad_ondertekenaar(pad).ring.bytes().decode())
