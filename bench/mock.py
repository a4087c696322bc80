"""One source-system mock in its own process, as a remote partner system is.

    python -m bench.mock BPS 8100 brondata.yaml

Listens on base+1..4 like `ketenpoort mocks` (adapters.MOCK_POORT_OFFSET); the latency is set by the bench
through the mock's own `PUT /_storing`.
"""

from __future__ import annotations

import sys

import uvicorn

from adapters import MOCK_POORT_OFFSET, maak_mock_apps


def main() -> None:
    systeem, basis, brondata = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    app = maak_mock_apps(brondata)[systeem]
    uvicorn.run(app, host="127.0.0.1", port=basis + MOCK_POORT_OFFSET[systeem], lifespan="off", access_log=False,
                log_level="warning", loop="uvloop", http="httptools", backlog=4096)


if __name__ == "__main__":
    main()
