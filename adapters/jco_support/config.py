from __future__ import annotations

from pydantic import SecretStr

from adapters._gedeeld import BronConfig


class JcoSupportConfig(BronConfig):
    """bronnen.yaml `JCO-support:`; credentials travel in a WS-Security UsernameToken."""

    gebruikersnaam: str
    wachtwoord: SecretStr
