from __future__ import annotations

from pydantic import Field, SecretStr

from adapters._gedeeld import BronConfig


class VirConfig(BronConfig):
    """bronnen.yaml `VIR:`; an API key plus the OIN of the organisation that consults the index."""

    api_key: SecretStr
    organisatie_oin: str = Field(pattern=r"^\d{20}$")
