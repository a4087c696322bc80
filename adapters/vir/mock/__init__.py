from .app import STANDAARD_API_KEY, maak_app

__all__ = ["STANDAARD_API_KEY", "maak_app"]
