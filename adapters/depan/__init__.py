"""DJI Depan: REST with a paged release feed and a per-person lookup; answers carry a `peildatum`."""

from .config import DepanConfig
from .source import DepanBron

__all__ = ["DepanBron", "DepanConfig"]
