"""The pure domain: standard library only (a test enforces it)."""
