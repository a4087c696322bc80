"""The benchmark house: its convenant, clients, sources, synthetic people and secrets, in a temp config dir.

House `bench` has one overlegtype, `casusoverleg`, in which all four source systems may tell the
kernpartner `om` (dat-level): every lookup asks four sources, the worst case for the gateway.
Every synthetic person is known in all four systems, so every answer is stored as a verwijzing.
The demo houses are copied along unchanged.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import yaml

from adapters import BRONSYSTEMEN

from .infra import ROOT

HUIS = "bench"
OVERLEGTYPE = "casusoverleg"
THEMA = "bench"
PARTNER_BRONNEN = {"politie": "BPS", "om": "JCO-support", "dji": "Depan", "vir": "VIR"}
CLIENTS = {
    "bench-om": ("om", ["partner"]),
    "bench-politie": ("politie", ["partner"]),
    "bench-procesregisseur": (None, ["procesregisseur"]),  # house roles carry no partner (issue 11)
    "bench-privacy": (None, ["privacy"]),
}
IDENTITY_KEY = "bench-identiteitssleutel-" + "b" * 40  # synthetic, bench only


def geheim(client_id: str) -> str:
    return f"{client_id}-geheim"


def convenant() -> dict:
    return {
        "convenant": {
            "id": "zvh-bench", "versie": "2026.1", "huis": HUIS, "naam": "Convenant benchmarkhuis",
            "geldigVan": date(2020, 1, 1), "geldigTot": date(2099, 12, 31),
            "verwerkingsverantwoordelijken": ["gemeente-a"], "bewaartermijnMaanden": 60,
            "bsnGerechtigden": ["politie", "om", "procesregie"],
        },
        "partners": {
            "politie": {"naam": "Politie", "bronsysteem": "BPS"},
            "om": {"naam": "Openbaar Ministerie", "bronsysteem": "JCO-support"},
            "dji": {"naam": "Dienst Justitiële Inrichtingen", "bronsysteem": "Depan"},
            "vir": {"naam": "Verwijsindex Risicojongeren", "bronsysteem": "VIR"},
            "gemeente-a": {"naam": "Gemeente A"},
        },
        "themas": [THEMA],
        "overlegtypen": {
            OVERLEGTYPE: {"naam": "Casusoverleg (benchmark)", "themas": [THEMA], "voorzitter": "om",
                          "kernpartners": ["om", "politie", "dji", "vir", "gemeente-a"], "schilpartners": []},
        },
        "verstrekkingen": [
            {"id": f"V-{partner.upper()}-BENCH", "bron": partner, "categorie": f"{partner}gegevens",
             "grondslag": "Wpg art. 20" if partner == "politie" else "AVG art. 6 lid 1 sub e",
             "samenwerkingsverband": "Benchmarkhuis", "doel": "Benchmark van de gateway",
             "voorwaarden": "Alleen dat-informatie", "overlegtypen": [OVERLEGTYPE], "ontvangers": ["kernpartners"]}
            for partner in PARTNER_BRONNEN
        ],
    }


def _bsns(aantal: int, vanaf: int = 998_000_000) -> list[str]:
    """Synthetic elfproef-valid BSNs from `vanaf` on (by default 998 xxx xxx, not the demo's 999 99x xxx)."""
    uit = []
    n = vanaf
    while len(uit) < aantal:
        n += 1
        cijfers = [int(c) for c in f"{n:09d}"]
        if (sum(c * w for c, w in zip(cijfers[:8], range(9, 1, -1))) - cijfers[8]) % 11 == 0:
            uit.append(f"{n:09d}")
    return uit


def inzage_bsn() -> str:
    """The one person of the audit year (scenario 4): synthetic, outside the bench people."""
    return _bsns(1, vanaf=997_000_000)[0]


def personen(aantal: int) -> list[dict]:
    """People aged 18-22 (inside the VIR's 0-23 target group), known in all four systems."""
    uit = []
    vandaag = date.today()
    for i, bsn in enumerate(_bsns(aantal)):
        geboren = vandaag.replace(year=vandaag.year - 18 - i % 5) - timedelta(days=30 + i % 300)
        sinds = (vandaag - timedelta(days=60 + i % 700)).isoformat()
        p: dict = {"bsn": bsn, "geboortedatum": geboren.isoformat()}
        for systeem in BRONSYSTEMEN:
            p[systeem] = {"bekendSinds": sinds,
                          "contactpunt": {"naam": f"Contactpunt {systeem}", "telefoon": "012-345 6789"},
                          "omschrijving": "SYNTH inhoud die de gateway nooit doorgeeft"}
        p["Depan"]["peildatum"] = f"{(vandaag - timedelta(days=3)).isoformat()}T00:00:00Z"
        uit.append(p)
    return uit


def maak_configuratie(map_: Path, *, mock_basispoort: int | None, max_verbindingen: int,
                      aantal_personen: int) -> tuple[Path, Path, list[str]]:
    """Write the config dir; return (config dir, brondata file, the people's BSNs)."""
    from adapters import mock_base_url

    config = map_ / "config"
    config.mkdir(parents=True, exist_ok=True)
    demo = ROOT / "deploy" / "demo"
    for bestand in demo.glob("convenant-*.yaml"):
        shutil.copy(bestand, config / bestand.name)
    (config / f"convenant-{HUIS}.yaml").write_text(yaml.safe_dump(convenant(), allow_unicode=True, sort_keys=False))
    clients = yaml.safe_load((demo / "clients.yaml").read_text())
    clients["clients"] += [{"clientId": cid, "clientSecret": geheim(cid), "huis": HUIS, "scopes": scopes,
                            **({"partner": partner} if partner else {})} for cid, (partner, scopes) in CLIENTS.items()]
    (config / "clients.yaml").write_text(yaml.safe_dump(clients, allow_unicode=True, sort_keys=False))
    bronnen = yaml.safe_load((demo / "bronnen.yaml").read_text())
    for systeem, cfg in bronnen["bronnen"].items():
        if mock_basispoort is not None:
            cfg["baseUrl"] = mock_base_url(systeem, mock_basispoort)
        cfg["maxVerbindingen"] = max_verbindingen
    (config / "bronnen.yaml").write_text(yaml.safe_dump(bronnen, allow_unicode=True, sort_keys=False))
    mensen = personen(aantal_personen)
    brondata = map_ / "brondata.yaml"
    brondata.write_text(yaml.safe_dump({"personen": mensen}, allow_unicode=True, sort_keys=False))
    return config, brondata, [p["bsn"] for p in mensen]


def sleutels(map_: Path) -> tuple[Path, Path]:
    """The checkpoint signing key (Ed25519) and the built-in issuer's token key (RSA), made once per run."""
    from gateway.infrastructure.audit.sleutels import laad_of_maak_sleutel
    from gateway.infrastructure.tokens import laad_of_maak_tokensleutel

    ondertekening = map_ / "signing.key"
    laad_of_maak_sleutel(ondertekening, maak=True)
    token = map_ / "token.key"
    laad_of_maak_tokensleutel(token)
    return ondertekening, token


def gateway_env(basis: dict[str, str], *, database_url: str, config: Path, kafka: str, ondertekening: Path,
                token: Path, deadline_s: float, log_level: str, toelating: int = 16) -> dict[str, str]:
    env = {k: v for k, v in basis.items() if not k.startswith("KETENPOORT_")}
    env.update({
        "KETENPOORT_DATABASE_URL": database_url,
        "KETENPOORT_CONFIG_DIR": str(config),
        "KETENPOORT_IDENTITY_KEY": IDENTITY_KEY,
        "KETENPOORT_SIGNING_KEY": str(ondertekening),
        "KETENPOORT_TOKEN_KEY": str(token),
        "KETENPOORT_KAFKA_BOOTSTRAP": kafka,
        "KETENPOORT_TOKEN_TTL_SECONDS": "7200",
        "KETENPOORT_VERWIJZING_DEADLINE_SECONDS": f"{deadline_s:g}",
        "KETENPOORT_LOG_LEVEL": log_level,
        "KETENPOORT_MAX_LOPENDE_OPVRAGINGEN": str(toelating),
        "PYTHONUNBUFFERED": "0",
    })
    return env


