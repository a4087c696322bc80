"""Alembic migrations; shipped as a package so `ketenpoort db upgrade` finds them when installed."""
