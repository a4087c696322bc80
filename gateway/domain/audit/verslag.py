"""What `audit verify` reports: the kinds of break, the first break, the report per house."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Breuktype(StrEnum):
    GEWIJZIGD = "gewijzigd"
    ONTBREEKT = "ontbreekt"
    INGEVOEGD = "ingevoegd"
    VERWISSELD = "verwisseld"
    AFGEKAPT = "afgekapt"
    CHECKPOINT_VERVALST = "checkpoint_vervalst"
    GEEN_ANKER = "geen_anker"
    KOLOM_GEWIJZIGD = "kolom_gewijzigd"  # a ledger column (the filters' index) differs from the hashed event
    CHECKPOINT_ONTBREEKT = "checkpoint_ontbreekt"  # no valid checkpoint at a multiple of the interval
    GESPLITST = "gesplitst"  # two different signed checkpoints for one volgnummer (split view)

    @property
    def engels(self) -> str:
        """The contract's English word for the kind of break (CONTRACT.md §1)."""
        return _ENGELS[self]


_ENGELS = {
    Breuktype.GEWIJZIGD: "changed",
    Breuktype.ONTBREEKT: "missing",
    Breuktype.INGEVOEGD: "inserted",
    Breuktype.VERWISSELD: "reordered",
    Breuktype.AFGEKAPT: "truncated",
    Breuktype.CHECKPOINT_VERVALST: "forged checkpoint",
    Breuktype.GEEN_ANKER: "cannot vouch",
    Breuktype.KOLOM_GEWIJZIGD: "changed column",
    Breuktype.CHECKPOINT_ONTBREEKT: "missing checkpoint",
    Breuktype.GESPLITST: "split view",
}


@dataclass(frozen=True)
class Bevinding:
    """The first break: at which volgnummer, what kind, and why (Dutch, for the privacy officer)."""

    volgnummer: int
    soort: Breuktype
    uitleg: str

    def __str__(self) -> str:
        return f"volgnummer {self.volgnummer}: {self.soort.value} ({self.soort.engels}): {self.uitleg}"


@dataclass(frozen=True)
class Verslag:
    """What `verify` reports for one house."""

    huis: str
    aantal: int  # distinct audit events read
    eerste: int | None  # first volgnummer vouched for (None: nothing can be vouched for)
    laatste: int | None  # last volgnummer vouched for
    hoogste: int | None  # highest volgnummer read (may lie beyond a break)
    begin_ontbreekt: bool  # the log does not start at volgnummer 1 (Kafka retention)
    anker: int | None  # the checkpoint that anchors a log whose head is gone
    checkpoints_gecontroleerd: int  # valid signature and matching the event at its volgnummer
    checkpoints_ongecontroleerd: int  # read but not checked (no key, before the start, after a break)
    handtekeningen_gecontroleerd: bool  # a public key was given
    dubbel: int  # redeliveries dropped (same id, same content)
    overgeslagen: int  # events of other types on the topic
    breuk: Bevinding | None
    staart: int = 0  # events after the last checkpoint that matched (the unanchored tail)
    staart_vanaf: int | None = None  # its first volgnummer
    staart_leeftijd_s: float | None = None  # age of that first event, where the reader could tell

    @property
    def intact(self) -> bool:
        return self.breuk is None

    def staart_te_oud(self, termijn_s: float) -> bool:
        return self.staart > 0 and self.staart_leeftijd_s is not None and self.staart_leeftijd_s > termijn_s

    def samenvatting(self) -> str:
        """One line, Dutch, as `ketenpoort audit verify` prints it."""
        if self.breuk is not None:
            return f"huis {self.huis}: GEBROKEN bij {self.breuk}"
        if self.aantal == 0:
            return f"huis {self.huis}: geen audit-events"
        if self.begin_ontbreekt:
            bereik = (f"vanaf volgnummer {self.eerste} t/m {self.laatste} (begin niet meer aanwezig; "
                      f"verankerd op ondertekend checkpoint {self.anker})")
        else:
            bereik = f"volgnummer {self.eerste} t/m {self.laatste}"
        if not self.handtekeningen_gecontroleerd:
            # Without a key anyone with write access could have rewritten and re-hashed it all.
            return (f"huis {self.huis}: NIET VAST TE STELLEN - de keten sluit ({self.aantal} events, {bereik}), "
                    "maar zonder publieke sleutel of sleutelring zijn de checkpoints niet te controleren")
        n = self.checkpoints_gecontroleerd
        cps = f"{n} checkpoint{'' if n == 1 else 's'} gecontroleerd"
        staart = ""
        if self.staart:
            leeftijd = "" if self.staart_leeftijd_s is None else f", oudste {self.staart_leeftijd_s:.0f} s oud"
            staart = (f", {self.staart} event{'' if self.staart == 1 else 's'} na het laatste checkpoint "
                      f"(vanaf volgnummer {self.staart_vanaf}{leeftijd})")
        return f"huis {self.huis}: intact - {self.aantal} events, {bereik}, {cps}{staart}"

    def als_dict(self) -> dict[str, Any]:
        return {
            "huis": self.huis,
            "intact": self.intact,
            "aantal": self.aantal,
            "eerste": self.eerste,
            "laatste": self.laatste,
            "hoogste": self.hoogste,
            "beginOntbreekt": self.begin_ontbreekt,
            "anker": self.anker,
            "checkpointsGecontroleerd": self.checkpoints_gecontroleerd,
            "checkpointsOngecontroleerd": self.checkpoints_ongecontroleerd,
            "handtekeningenGecontroleerd": self.handtekeningen_gecontroleerd,
            "dubbel": self.dubbel,
            "overgeslagen": self.overgeslagen,
            "staart": {"aantal": self.staart, "vanaf": self.staart_vanaf, "leeftijdS": self.staart_leeftijd_s},
            "breuk": None if self.breuk is None else {
                "volgnummer": self.breuk.volgnummer, "soort": self.breuk.soort.value, "uitleg": self.breuk.uitleg,
            },
        }

