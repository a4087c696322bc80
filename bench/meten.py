"""The load generator (closed loop, async httpx), percentiles, and per-process CPU and memory sampling."""

from __future__ import annotations

import asyncio
import math
import random
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


def percentiel(waarden: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100) of `waarden`; None when empty."""
    if not waarden:
        return None
    s = sorted(waarden)
    k = max(0, min(len(s) - 1, math.ceil(p / 100 * len(s)) - 1))
    return s[k]


@dataclass
class Meting:
    """Latencies (ms) of the requests that started after warm-up and finished within the run."""

    gelijktijdig: int
    duur_s: float
    latenties_ms: list[float] = field(default_factory=list)
    fouten: Counter[str] = field(default_factory=Counter)

    @property
    def aantal(self) -> int:
        return len(self.latenties_ms)

    def tel(self, t0: float, t1: float, fout: str | None, meet_vanaf: float, eind: float) -> None:
        """Count a request that started after the warm-up and ended before the deadline."""
        if t0 >= meet_vanaf and t1 <= eind:
            if fout is None:
                self.latenties_ms.append((t1 - t0) * 1000)
            else:
                self.fouten[fout] += 1

    @property
    def per_s(self) -> float:
        return self.aantal / self.duur_s if self.duur_s else 0.0

    def p(self, q: float) -> float | None:
        return percentiel(self.latenties_ms, q)

    def samenvatting(self) -> dict[str, Any]:
        r = lambda x: None if x is None else round(x, 2)  # noqa: E731
        return {"gelijktijdig": self.gelijktijdig, "duurS": round(self.duur_s, 2), "aantal": self.aantal,
                "perS": round(self.per_s, 2), "p50Ms": r(self.p(50)), "p90Ms": r(self.p(90)),
                "p99Ms": r(self.p(99)), "maxMs": r(max(self.latenties_ms, default=None) if self.latenties_ms else None),
                "fouten": dict(self.fouten)}


async def gesloten_lus(gelijktijdig: int, duur_s: float, opwarmen_s: float,
                       verzoek: Callable[[int, random.Random], Awaitable[str | None]]) -> Meting:
    """`gelijktijdig` clients, each sending its next request as soon as the previous one answered.

    `verzoek(client, rng)` returns None on success or a short error label. Only requests that start
    after the warm-up and end before the deadline count; the rate is counted over the measured window.
    """
    start = time.perf_counter()
    meet_vanaf = start + opwarmen_s
    eind = meet_vanaf + duur_s
    m = Meting(gelijktijdig, duur_s)

    async def client(nr: int) -> None:
        rng = random.Random(nr * 7919 + gelijktijdig)
        while True:
            t0 = time.perf_counter()
            if t0 >= eind:
                return
            try:
                fout = await verzoek(nr, rng)
            except Exception as e:  # noqa: BLE001 - a failed request is a result, not a crash
                fout = type(e).__name__
            m.tel(t0, time.perf_counter(), fout, meet_vanaf, eind)

    await asyncio.gather(*(client(i) for i in range(gelijktijdig)))
    return m


async def op_tempo(max_gelijktijdig: int, per_s: float, duur_s: float, opwarmen_s: float,
                   verzoek: Callable[[int, random.Random], Awaitable[str | None]]) -> Meting:
    """Open loop: start requests at `per_s` a second (evenly spaced), at most `max_gelijktijdig` at a time."""
    start = time.perf_counter()
    meet_vanaf = start + opwarmen_s
    eind = meet_vanaf + duur_s
    m = Meting(max_gelijktijdig, duur_s)
    slot = asyncio.Semaphore(max_gelijktijdig)
    rng = random.Random(max_gelijktijdig)
    lopend: set[asyncio.Task[None]] = set()

    async def een(nr: int) -> None:
        async with slot:
            t0 = time.perf_counter()
            try:
                fout = await verzoek(nr, rng)
            except Exception as e:  # noqa: BLE001
                fout = type(e).__name__
            t1 = time.perf_counter()
        m.tel(t0, t1, fout, meet_vanaf, eind)

    i = 0
    while True:
        volgende = start + i / per_s
        if volgende >= eind:
            break
        wacht = volgende - time.perf_counter()
        if wacht > 0:
            await asyncio.sleep(wacht)
        taak = asyncio.create_task(een(i))
        lopend.add(taak)
        taak.add_done_callback(lopend.discard)
        i += 1
    if lopend:
        await asyncio.gather(*lopend)
    return m


class Bemonsteraar:
    """Samples CPU time and RSS of groups of processes in a thread, every `interval` seconds."""

    def __init__(self, groepen: dict[str, Callable[[], Iterable[int]]], interval: float = 0.1):
        self.groepen = groepen
        self.interval = interval
        self.piek_rss: dict[str, int] = {}
        self.piek_rss_per_pid: dict[int, int] = {}
        self._cpu_begin: dict[int, float] = {}
        self._cpu_laatst: dict[int, float] = {}
        self._groep_van: dict[int, str] = {}
        self._stop = threading.Event()
        self._draad: threading.Thread | None = None
        self._t0 = 0.0
        self._t1 = 0.0

    def _pids(self) -> dict[int, str]:
        uit = {}
        for groep, pids in self.groepen.items():
            for pid in pids():
                uit[pid] = groep
        return uit

    def _monster(self) -> None:
        import psutil

        for pid, groep in self._pids().items():
            try:
                p = psutil.Process(pid)
                with p.oneshot():
                    cpu = sum(p.cpu_times()[:2])
                    rss = p.memory_info().rss
            except psutil.Error:
                continue
            self._groep_van[pid] = groep
            self._cpu_begin.setdefault(pid, cpu)
            self._cpu_laatst[pid] = cpu
            self.piek_rss_per_pid[pid] = max(self.piek_rss_per_pid.get(pid, 0), rss)

    def __enter__(self) -> Bemonsteraar:
        self._t0 = time.perf_counter()
        self._monster()

        def lus() -> None:
            while not self._stop.wait(self.interval):
                self._monster()

        self._draad = threading.Thread(target=lus, daemon=True, name="bemonsteraar")
        self._draad.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._draad is not None:
            self._draad.join(5)
        self._monster()
        self._t1 = time.perf_counter()

    def cpu(self) -> dict[str, float]:
        """Cores used per group over the sampled window (1.0 = one core fully busy)."""
        duur = max(self._t1 - self._t0, 1e-9)
        per_groep: dict[str, float] = {}
        for pid, groep in self._groep_van.items():
            per_groep[groep] = per_groep.get(groep, 0.0) + self._cpu_laatst[pid] - self._cpu_begin[pid]
        return {g: round(s / duur, 2) for g, s in sorted(per_groep.items())}

    def cpu_per_pid(self, groep: str) -> dict[int, float]:
        """Cores used per process of one group: how evenly the gateway's workers share the load (issue 17)."""
        duur = max(self._t1 - self._t0, 1e-9)
        return {pid: round((self._cpu_laatst[pid] - self._cpu_begin[pid]) / duur, 2)
                for pid, g in self._groep_van.items() if g == groep}

    def piek_rss_mib(self, groep: str) -> dict[int, float]:
        return {pid: round(rss / 2**20, 1) for pid, rss in self.piek_rss_per_pid.items()
                if self._groep_van.get(pid) == groep}
