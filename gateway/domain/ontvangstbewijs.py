"""Receipts for partners (ontvangstbewijzen): which audit events a request caused, for both sides to reconcile.

Every record the chain gets during a request is collected here (in the request's context); once the response
starts, its committed records become the receipt `{huis, volgnummers, hash of the last}`. A partner keeps the
receipts and `ketenpoort audit afstemmen` reports each one the ledger does not bear out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

HEADER = "Ketenpoort-Ontvangstbewijs"

_verzameld: ContextVar[list[Mapping[str, Any]] | None] = ContextVar("ketenpoort_ontvangstbewijs", default=None)


@contextmanager
def verzamel(records: list[Mapping[str, Any]] | None = None) -> Iterator[list[Mapping[str, Any]]]:
    """Collect the chain records made inside this block (into `records`, or a new list)."""
    records = [] if records is None else records
    token = _verzameld.set(records)
    try:
        yield records
    finally:
        _verzameld.reset(token)


def registreer(records: Iterable[Mapping[str, Any]]) -> None:
    """The chain records of this request (their volgnummer and hash are filled in at commit)."""
    lijst = _verzameld.get()
    if lijst is not None:
        lijst.extend(records)


@dataclass(frozen=True)
class Ontvangstbewijs:
    huis: str
    volgnummers: tuple[int, ...]
    hash: str

    def als_header(self) -> str:
        """An RFC 8941 dictionary: huis="demo", volgnummers=(12 13), hash="…"."""
        return f'huis="{self.huis}", volgnummers=({" ".join(map(str, self.volgnummers))}), hash="{self.hash}"'

    @classmethod
    def uit_header(cls, waarde: str) -> Ontvangstbewijs:
        delen: dict[str, str] = {}
        for deel in waarde.split(","):
            sleutel, _, v = deel.strip().partition("=")
            delen[sleutel] = v.strip()
        return cls(delen["huis"].strip('"'), tuple(int(x) for x in delen["volgnummers"].strip("()").split()),
                   delen["hash"].strip('"'))

    def als_json(self) -> dict[str, Any]:
        return {"huis": self.huis, "volgnummers": list(self.volgnummers), "hash": self.hash}


def bewijzen(records: Iterable[Mapping[str, Any]]) -> list[Ontvangstbewijs]:
    """One receipt per house among the committed records (uncommitted ones carry no volgnummer)."""
    per_huis: dict[str, dict[int, str]] = {}
    for r in records:
        if isinstance(r.get("volgnummer"), int) and isinstance(r.get("hash"), str):
            per_huis.setdefault(str(r["huis"]), {})[r["volgnummer"]] = r["hash"]
    uit = []
    for huis, vn in sorted(per_huis.items()):
        volgnummers = tuple(sorted(vn))
        uit.append(Ontvangstbewijs(huis, volgnummers, vn[volgnummers[-1]]))
    return uit
