"""Pydantic shapes shared by the JSON adapters: read only dat-fields, ignore (drop) everything else."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from gateway.domain.model import Contactpunt


class DatModel(BaseModel):
    """Unknown keys are content: ignored, so they never reach a DatInformatie."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class ContactModel(DatModel):
    naam: str = Field(min_length=1)
    telefoon: str | None = None
    email: str | None = None

    def als_contactpunt(self) -> Contactpunt:
        return Contactpunt(self.naam, self.telefoon, self.email)
