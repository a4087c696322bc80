"""Verwijsindex Risicojongeren (VIR): REST signal/match lookup for young people aged 0-23."""

from .config import VirConfig
from .source import VirBron

__all__ = ["VirBron", "VirConfig"]
