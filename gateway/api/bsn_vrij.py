"""One reusable annotated type: caller text that must not hold a BSN in any disguise (gateway.domain.bsn).

Applied to every free-text and id field of the request bodies; the reason never repeats the value.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from gateway.domain.bsn import BSN_IN_TEKST, bevat_bsn


def weiger_bsn(waarde: str | None) -> str | None:
    if isinstance(waarde, str) and bevat_bsn(waarde):
        raise ValueError(BSN_IN_TEKST)
    return waarde


GeenBsn = AfterValidator(weiger_bsn)
BsnVrij = Annotated[str, GeenBsn]

__all__ = ["BsnVrij", "GeenBsn", "weiger_bsn"]
