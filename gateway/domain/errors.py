"""Typed failures of the domain. The API maps each to one problem+json status.

KetenpoortFout
 ├── OngeldigeInvoer      400  invalid input, every invalid field named
 ├── NietGeauthenticeerd  401  no, malformed, expired or foreign token
 ├── NietGevonden         404  missing, or belonging to another house
 ├── GeenToegang          403  authenticated but not permitted (role, convenant, participation)
 ├── Conflict             409  duplicate open casus, illegal status move
 ├── AuditNietVastgelegd  503  the audit write failed: the exchange did not happen
 ├── AntwoordNietVastgelegd 503  the exchange was audited, its answer could not be stored or returned
 └── BronFout                  a source system failed (adapters raise these, never foreign errors)
      ├── BronNietBeschikbaar  timeout, 5xx, malformed reply, open circuit
      └── BronWeigert          the source refused the request (4xx, SOAP client fault)
"""

from __future__ import annotations

from dataclasses import dataclass, field


class KetenpoortFout(Exception):
    """Base of every failure the domain and services raise on purpose."""


@dataclass(frozen=True)
class OngeldigeParameter:
    name: str
    reason: str


class OngeldigeInvoer(KetenpoortFout):
    def __init__(self, params: list[OngeldigeParameter] | list[tuple[str, str]], detail: str | None = None):
        self.params = [p if isinstance(p, OngeldigeParameter) else OngeldigeParameter(*p) for p in params]
        self.detail = detail or "; ".join(f"{p.name}: {p.reason}" for p in self.params)
        super().__init__(self.detail)


class NietGeauthenticeerd(KetenpoortFout):
    def __init__(self, reden: str):
        self.reden = reden
        super().__init__(reden)


class NietGevonden(KetenpoortFout):
    def __init__(self, wat: str = "resource"):
        self.wat = wat
        super().__init__(f"{wat} niet gevonden")


class GeenToegang(KetenpoortFout):
    def __init__(self, reden: str, regel: str | None = None):
        self.reden = reden
        self.regel = regel
        super().__init__(reden)


class Conflict(KetenpoortFout):
    def __init__(self, detail: str, extra: dict[str, str] | None = None):
        self.detail = detail
        self.extra = extra or {}
        super().__init__(detail)


class AuditNietVastgelegd(KetenpoortFout):
    def __init__(self, reden: str = "audit event could not be committed"):
        super().__init__(reden)


class AntwoordNietVastgelegd(KetenpoortFout):
    """After the audit commit: the sources were (or may have been) asked, but a later write failed."""

    def __init__(self, reden: str = "answer could not be stored after the audit commit"):
        super().__init__(reden)


@dataclass
class BronFout(KetenpoortFout):
    bron: str
    reden: str
    details: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(f"{self.bron}: {self.reden}")

    def __str__(self) -> str:
        return f"{self.bron}: {self.reden}"


class BronNietBeschikbaar(BronFout):
    """The source did not answer in time, failed, or answered something unreadable."""


class BronWeigert(BronFout):
    """The source answered but refused the request."""
