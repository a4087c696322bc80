"""OM JCO-support: SOAP 1.1 `zoekJeugdige` with a WS-Security UsernameToken."""

from .config import JcoSupportConfig
from .source import JcoSupportBron

__all__ = ["JcoSupportBron", "JcoSupportConfig"]
