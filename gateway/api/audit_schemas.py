"""The audit data object as the API returns it (the `data` of an `nl.ketenpoort.audit.uitwisseling` event).

Typed for the OpenAPI document and generated clients; unknown members pass through unchanged, so the
audit record a privacy officer reads is exactly the one in the chain (its hash still verifies).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class AuditVerzoeker(_Open):
    partner: str | None = Field(description="Partner van de aanroeper; null voor een rol van het huis",
                                examples=["om"])
    rol: str | None = Field(default=None, description="Rol van het huis (procesregie, privacy, beheer) als er geen "
                            "partner is", examples=["procesregie"])
    clientId: str = Field(description="OAuth-client van de aanroeper", examples=["demo-om"])
    gebruiker: str | None = Field(default=None, description="Eindgebruiker (X-Gebruiker)", examples=["j.jansen"])


class AuditConvenant(_Open):
    id: str = Field(description="Id van het convenant", examples=["zvh-demo"])
    versie: str = Field(description="Versie van het convenant", examples=["2026.1"])
    hash: str = Field(description="SHA-256 van het convenantbestand", examples=["0" * 64])


class AuditGegevens(_Open):
    """Eén uitwisselingsbesluit in het auditlog (toegestaan of geweigerd), hash-geketend per huis."""

    huis: str = Field(description="Het huis", examples=["demo"])
    volgnummer: int = Field(description="Plaats in de keten van het huis, vanaf 1, zonder gaten", examples=[42])
    vorigeHash: str = Field(description="Hash van het vorige record (64 nullen voor het eerste)", examples=["0" * 64])
    hash: str = Field(description="sha256(JCS(record zonder hash))", examples=["a" * 64])
    tijdstip: str = Field(description="Tijdstip (RFC 3339, UTC)", examples=["2026-11-22T10:00:00.000Z"])
    handeling: str = Field(description="Soort uitwisseling", examples=["verwijzing_opvragen"])
    besluit: str = Field(description="toegestaan of geweigerd", examples=["toegestaan"])
    reden: str | None = Field(default=None, description="Reden van weigering")
    verzoeker: AuditVerzoeker
    bron: str | None = Field(default=None, description="Bronpartner", examples=["politie"])
    betrokkene: str | None = Field(default=None, description="Id van de betrokkene (nooit een BSN)")
    casusId: str | None = Field(default=None, description="Id van de casus")
    overlegId: str | None = Field(default=None, description="Id van het overleg")
    overlegtype: str | None = Field(default=None, description="Overlegtype", examples=["jco"])
    categorie: str | None = Field(default=None, description="Gegevenscategorie", examples=["politiegegevens"])
    grondslag: str | None = Field(default=None, description="Wettelijke grondslag", examples=["Wpg art. 20"])
    regel: str | None = Field(default=None, description="Convenantregel of toegangsregel", examples=["V-POL-JCO"])
    convenant: AuditConvenant
    traceId: str | None = Field(default=None, description="Trace-id (W3C)")
