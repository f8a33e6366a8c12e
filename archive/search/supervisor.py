"""Keeps the managed Meilisearch running under ``serve``.

A thread looks at the child every 0.2 s; when it has exited (killed, crashed, out of memory)
it is started again after :data:`RESTART_DELAYS` (1 s, then each failed start waits the next, so a
binary that cannot start is retried at most every 8 s instead of in a tight loop). Meanwhile
searches answer 503 ``search_unavailable`` and index changes wait in the outbox; once it is
back, ``on_restart`` drains the outbox, so nothing is lost. Measured with SIGKILL: back and
answering within about 2 s (``tests/e2e/test_supervised_search.py``).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable

from ..errors import SearchUnavailable
from .server import ManagedMeili

log = logging.getLogger("talkarchive.search")

RESTART_DELAYS = (1.0, 2.0, 4.0, 8.0)
CHECK_SECONDS = 0.2


class Supervisor:
    def __init__(self, managed: ManagedMeili, on_restart: Callable[[], None] | None = None) -> None:
        self.managed = managed
        self.on_restart = on_restart
        self.restarts = 0
        self._halt = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="meili-supervisor")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._halt.set()
        self._thread.join(timeout=40)  # a start in progress finishes (30 s at most)

    def _run(self) -> None:
        failures = 0
        while not self._halt.wait(CHECK_SECONDS):
            if self.managed.running():
                continue
            delay = RESTART_DELAYS[min(failures, len(RESTART_DELAYS) - 1)]
            log.warning("Meilisearch is not running; starting it again in %.1f s", delay)
            if self._halt.wait(delay) or not self._restart():
                failures += not self._halt.is_set()
                continue
            failures = 0
            self.restarts += 1
            log.warning("Meilisearch is running again")
            if self.on_restart is not None:
                with contextlib.suppress(Exception):  # the worker's watchdog drains too
                    self.on_restart()

    def _restart(self) -> bool:
        with self.managed.lock:
            if self._halt.is_set():
                return False
            try:
                self.managed.start()
            except SearchUnavailable as exc:
                log.warning("Meilisearch did not start: %s", exc.message)
                return False
        return True
