"""Politie BPS: REST/JSON person query by BSN (POST, BSN in the body, API key header)."""

from .config import BpsConfig
from .source import BpsBron

__all__ = ["BpsBron", "BpsConfig"]
