"""Write the gateway's OpenAPI document (as served at /v1/openapi.json) to FILE for the linters; connects to nothing."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from gateway.bootstrap import bouw
from gateway.infrastructure.settings import Instellingen


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        inst = Instellingen(database_url=f"sqlite+aiosqlite:///{tmp}/niet-gebruikt.db",
                            config_dir=Path(__file__).resolve().parents[1] / "deploy" / "demo",
                            identity_key="alleen-voor-het-document-" + "x" * 32)
        c = bouw(inst, bronnen={})
        doc = c.app.openapi()
    Path(sys.argv[1]).write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
