"""Database failures: which exceptions they are, and what of them may be logged.

A database failure is a 503 with Retry-After (the caller may try again), never a 500. What is logged is the
exception type, the driver's error class and SQLSTATE, and a message only where the message cannot carry
data: connection, resource, read-only and timeout errors. An IntegrityError's message names the values of
the violated key, and SQLAlchemy's own text holds the statement and its parameters: neither is logged.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import asyncpg
from sqlalchemy import exc as sa_exc

# Raised by SQLAlchemy, the drivers, or the socket under them (refused, reset, timed out).
DATABASEFOUTEN: tuple[type[BaseException], ...] = (
    sa_exc.DBAPIError, sa_exc.TimeoutError, sa_exc.DisconnectionError, sa_exc.ResourceClosedError,
    asyncpg.PostgresError, asyncpg.InterfaceError, sqlite3.Error, OSError,
)

# SQLSTATE classes whose messages carry no data: connection, resources, operator intervention,
# system errors, read-only transactions, cancelled statements (statement_timeout is 57014).
_VEILIGE_KLASSEN = ("08", "53", "57", "58", "25", "40")
_MAX = 200


def is_databasefout(e: BaseException) -> bool:
    return isinstance(e, DATABASEFOUTEN)


def _oorsprong(e: BaseException) -> BaseException:
    """The driver's exception under SQLAlchemy's wrapper and asyncpg's adaptation layers."""
    gezien = 0
    while gezien < 5:
        gezien += 1
        onder = getattr(e, "orig", None) or e.__cause__
        if onder is None or onder is e:
            break
        e = onder
    return e


def veilige_oorzaak(e: BaseException) -> dict[str, Any]:
    """Log fields for a database failure: never the statement, its parameters or a key's values."""
    orig = _oorsprong(e)
    uit: dict[str, Any] = {"fout": type(e).__name__}
    if orig is not e:
        uit["oorzaak"] = type(orig).__name__
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if isinstance(sqlstate, str):
        uit["sqlstate"] = sqlstate
    bericht: str | None = None
    if isinstance(sqlstate, str) and sqlstate[:2] in _VEILIGE_KLASSEN:
        bericht = str(getattr(orig, "message", None) or orig)
    elif isinstance(orig, sqlite3.OperationalError):  # "database or disk is full", "readonly database", locks
        bericht = str(orig)
    elif isinstance(orig, OSError):
        bericht = orig.strerror or type(orig).__name__
    elif isinstance(e, sa_exc.TimeoutError):
        bericht = "geen verbinding vrij binnen de wachttijd"
    elif isinstance(orig, (asyncpg.InterfaceError, sa_exc.DisconnectionError, sa_exc.ResourceClosedError)):
        bericht = "verbinding verbroken of gesloten"
    if bericht:
        uit["bericht"] = bericht.splitlines()[0][:_MAX]
    return uit
