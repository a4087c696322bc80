from __future__ import annotations

from pydantic import SecretStr

from adapters._gedeeld import BronConfig


class BpsConfig(BronConfig):
    """bronnen.yaml `BPS:`; the API key goes in the `X-BPS-ApiKey` header."""

    api_key: SecretStr
