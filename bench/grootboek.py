"""Writing many chained audit events straight into the ledger, in bulk (PostgreSQL COPY).

Each event is exactly what the gateway writes for a `verwijzing_opvragen` decision (the data object of
services.common.audit_gegevens, linked with gateway.domain.audit.schakel, wrapped with cloudevent), with a
signed checkpoint every 100 events (gateway.infrastructure.db.uow.CHECKPOINT_ELKE), so `audit verify`
sees a log it cannot tell from a real one. Used for the 1,000,000-event year (scenario 4) and, with
outbox rows, for the relay's commit-to-acknowledgement throughput (scenario 3).
"""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import asyncpg

from gateway.domain.audit import AUDIT_TYPE, Checkpoint, CHECKPOINT_TYPE, NUL_HASH, cloudevent, schakel, tijd
from gateway.infrastructure.db.uow import CHECKPOINT_ELKE
from gateway.infrastructure.audit.sleutels import Ondertekenaar

LEDGER_KOLOMMEN = ["huis", "volgnummer", "event_id", "hash", "tijdstip", "handeling", "besluit", "partner",
                   "betrokkene", "event"]
CHECKPOINT_KOLOMMEN = ["huis", "volgnummer", "event_id", "hash", "handtekening", "sleutel_id", "event"]
OUTBOX_KOLOMMEN = ["huis", "topic", "sleutel", "event", "aangemaakt_op"]
BRONNEN = [("politie", "politiegegevens", "Wpg art. 20"), ("om", "strafvorderlijke_gegevens", "Wjsg art. 39f"),
           ("dji", "detentiegegevens", "Pbw"), ("vir", "verwijsindexsignaal", "Jeugdwet par. 7.1.3")]
PARTNERS = ["om", "politie", "reclassering", "gemeente-a", "dji", "rvdk"]


def _dumps(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


class Generator:
    """Chained audit data objects for one house, continuing from (volgnummer, hash)."""

    def __init__(self, huis: str, *, volgnummer: int = 0, vorige_hash: str = NUL_HASH, begin: datetime,
                 stap: timedelta, betrokkenen: list[uuid.UUID], ondertekenaar: Ondertekenaar, seed: int = 7,
                 persoon: uuid.UUID | None = None, persoon_elke: int = 0):
        self.huis, self.volgnummer, self.vorige = huis, volgnummer, vorige_hash
        self.tijd, self.stap = begin, stap
        self.betrokkenen = betrokkenen
        self.ondertekenaar = ondertekenaar
        self.rng = random.Random(seed)
        self.persoon, self.persoon_elke = persoon, persoon_elke
        self.convenant = {"id": f"zvh-{huis}", "versie": "2026.1", "hash": "c" * 64}
        self.persoon_events = 0

    def _gegevens(self) -> dict[str, Any]:
        r = self.rng
        if self.persoon is not None and self.persoon_elke and self.volgnummer % self.persoon_elke == 0:
            betrokkene = self.persoon
            self.persoon_events += 1
        else:
            betrokkene = self.betrokkenen[r.randrange(len(self.betrokkenen))]
        bron, categorie, grondslag = BRONNEN[self.volgnummer % 4]
        toegestaan = r.random() < 0.8
        partner = PARTNERS[r.randrange(len(PARTNERS))]
        return {
            "huis": self.huis, "tijdstip": tijd(self.tijd), "handeling": "verwijzing_opvragen",
            "besluit": "toegestaan" if toegestaan else "geweigerd",
            "reden": None if toegestaan else "geen verstrekking voor deze ontvanger in dit overlegtype",
            "verzoeker": {"partner": partner, "clientId": f"{self.huis}-{partner}",
                          "gebruiker": f"medewerker.{r.randrange(500)}"},
            "bron": bron, "betrokkene": str(betrokkene), "casusId": str(uuid.UUID(int=r.getrandbits(128), version=4)),
            "overlegId": str(uuid.UUID(int=r.getrandbits(128), version=4)), "overlegtype": "veelplegers",
            "categorie": categorie if toegestaan else None, "grondslag": grondslag if toegestaan else None,
            "regel": f"V-{bron.upper()}-VP" if toegestaan else "R-GEEN-VERSTREKKING",
            "convenant": self.convenant, "traceId": f"{r.getrandbits(128):032x}",
        }

    def volgende(self, aantal: int) -> tuple[list[tuple], list[tuple]]:
        """`aantal` ledger rows and the checkpoint rows that fall among them."""
        ledger: list[tuple] = []
        checkpoints: list[tuple] = []
        for _ in range(aantal):
            self.volgnummer += 1
            self.tijd += self.stap
            data = schakel(self._gegevens(), self.volgnummer, self.vorige)
            self.vorige = data["hash"]
            event_id = uuid.uuid4()
            ev = cloudevent(id=event_id, type=AUDIT_TYPE, huis=self.huis, time=self.tijd, data=data)
            # the tijdstip column as the gateway stores it: the event's own time (to the millisecond)
            tijdstip = datetime.fromisoformat(data["tijdstip"].replace("Z", "+00:00"))
            ledger.append((self.huis, self.volgnummer, event_id, data["hash"], tijdstip, data["handeling"],
                           data["besluit"], data["verzoeker"]["partner"], uuid.UUID(data["betrokkene"]), _dumps(ev)))
            if self.volgnummer % CHECKPOINT_ELKE == 0:
                checkpoints.append(self._checkpoint())
        return ledger, checkpoints

    def _checkpoint(self) -> tuple:
        cp = self.ondertekenaar.onderteken(Checkpoint(self.huis, self.volgnummer, self.vorige))
        handtekening, data = cp.handtekening, cp.als_data()
        event_id = uuid.uuid4()
        ev = cloudevent(id=event_id, type=CHECKPOINT_TYPE, huis=self.huis, time=self.tijd, data=data)
        return (self.huis, self.volgnummer, event_id, self.vorige, handtekening, self.ondertekenaar.sleutel_id,
                _dumps(ev))


async def teller(conn: asyncpg.Connection, huis: str, *, vergrendel: bool) -> tuple[int, str]:
    """The house's chain head (creating the counter row when the house has none yet)."""
    await conn.execute("INSERT INTO huis_tellers (huis, volgnummer, laatste_hash, gebeurtenis_positie) "
                       "VALUES ($1, 0, $2, 0) ON CONFLICT (huis) DO NOTHING", huis, NUL_HASH)
    rij = await conn.fetchrow("SELECT volgnummer, laatste_hash FROM huis_tellers WHERE huis = $1"
                              + (" FOR UPDATE" if vergrendel else ""), huis)
    return int(rij["volgnummer"]), str(rij["laatste_hash"])


async def schrijf(dsn: str, gen: Generator, aantal: int, *, outbox: bool, batch: int = 20_000,
                  voortgang: Callable[[int], None] | None = None) -> None:
    """Append `aantal` events (and checkpoints) to the ledger in one transaction, under the house lock.

    Generation (Python) and COPY (the database) overlap: the next batch is built while the last one loads.
    With `outbox`, every event and checkpoint also gets an outbox row, as the gateway writes them.
    """
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            gen.volgnummer, gen.vorige = await teller(conn, gen.huis, vergrendel=True)
            lopend: asyncio.Task[None] | None = None
            gedaan = 0
            while gedaan < aantal:
                n = min(batch, aantal - gedaan)
                ledger, checkpoints = gen.volgende(n)
                if lopend is not None:
                    await lopend
                lopend = asyncio.create_task(_laad(conn, ledger, checkpoints, outbox))
                gedaan += n
                if voortgang:
                    voortgang(gedaan)
                await asyncio.sleep(0)
            if lopend is not None:
                await lopend
            # boom_frontier NULL: the gateway rebuilds the Merkle tree of this bulk-loaded chain on its first write
            await conn.execute("UPDATE huis_tellers SET volgnummer = $2, laatste_hash = $3, boom_frontier = NULL "
                               "WHERE huis = $1",
                               gen.huis, gen.volgnummer, gen.vorige)
    finally:
        await conn.close()


async def _laad(conn: asyncpg.Connection, ledger: list[tuple], checkpoints: list[tuple], outbox: bool) -> None:
    await conn.copy_records_to_table("audit_ledger", records=ledger, columns=LEDGER_KOLOMMEN)
    if checkpoints:
        await conn.copy_records_to_table("audit_checkpoints", records=checkpoints, columns=CHECKPOINT_KOLOMMEN)
    if outbox:
        nu = datetime.now(timezone.utc)
        # In chain order, each checkpoint right after the event it names (as the gateway writes them).
        cp = {r[1]: r for r in checkpoints}
        rijen = []
        for r in ledger:
            rijen.append((r[0], "audit", r[0], r[9], nu))
            if r[1] in cp:
                rijen.append((r[0], "audit", r[0], cp[r[1]][6], nu))
        await conn.copy_records_to_table("outbox", records=rijen, columns=OUTBOX_KOLOMMEN)


async def identiteit(dsn: str, huis: str, bsn: str, identiteitssleutel: str) -> uuid.UUID:
    """An identity row for one person (what registering a casus creates), so inzage can find them by BSN."""
    from gateway.infrastructure.identity import AesGcmKluis

    kluis = AesGcmKluis(identiteitssleutel)
    betrokkene = uuid.uuid4()
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            nu = datetime.now(timezone.utc)
            await conn.execute("INSERT INTO betrokkenen (id, huis, aangemaakt_op) VALUES ($1, $2, $3)",
                               betrokkene, huis, nu)
            await conn.execute("INSERT INTO identiteiten (betrokkene_id, huis, pseudoniem, bsn_versleuteld, "
                               "geboortedatum) VALUES ($1, $2, $3, $4, NULL)", betrokkene, huis,
                               kluis.pseudoniem(huis, bsn), kluis.versleutel(huis, bsn))
    finally:
        await conn.close()
    return betrokkene
