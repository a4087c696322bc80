"""Helpers shared by the four source-system adapters and their mocks.

Only this package may be imported across adapters: it holds no knowledge of any one source,
just the boundary machinery (configuration base, HTTP with timeouts/retries/error translation,
circuit breaker, brondata loading and the `/_storing` fault injection for the mocks).
"""

from .bron import BronMetOnderbreker
from .dat import ContactModel, DatModel
from .brondata import DAT_SLEUTELS, SYSTEMEN, Brondata, Persoon, Registratie, als_json, laad_brondata
from .config import BronConfig, CircuitBreakerConfig
from .http import Antwoord, BronHttp, controleer_status, lees_json_object
from .onderbreker import Stroomonderbreker, Toestand
from .storing import StoringMiddleware
from .tijd import als_utc, rfc3339

__all__ = [
    "ContactModel",
    "DatModel",
    "BronMetOnderbreker",
    "DAT_SLEUTELS",
    "SYSTEMEN",
    "Antwoord",
    "BronConfig",
    "BronHttp",
    "Brondata",
    "CircuitBreakerConfig",
    "Persoon",
    "Registratie",
    "StoringMiddleware",
    "Stroomonderbreker",
    "Toestand",
    "als_json",
    "als_utc",
    "controleer_status",
    "laad_brondata",
    "lees_json_object",
    "rfc3339",
]
