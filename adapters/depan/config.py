from __future__ import annotations

from pydantic import SecretStr

from adapters._gedeeld import BronConfig


class DepanConfig(BronConfig):
    """bronnen.yaml `Depan:`; a DJI-issued client id and secret, sent as HTTP Basic."""

    client_id: str
    client_secret: SecretStr
