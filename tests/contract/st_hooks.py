"""Schemathesis hooks for the bounded fuzz run: every request carries the token of one of the roles, in turn."""

from __future__ import annotations

import itertools
import json
import os

import schemathesis

_TOKENS = itertools.cycle(json.loads(os.environ["KETENPOORT_ST_TOKENS"]))


@schemathesis.auth()
class RolToken:
    def get(self, case, context):  # noqa: ANN001, ANN201
        return next(_TOKENS)

    def set(self, case, data, context):  # noqa: ANN001, ANN201
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}", "X-Gebruiker": "t.fuzzer"}
