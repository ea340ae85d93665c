"""The due-work sweep: one look every minute for everything that is due, the same with and without a broker.

Beat runs `wijkbudget.sweep` every minute in production; `wijkbudget run` (the embedded default, no broker) runs
`sweep_due_work` every minute in a thread of its own. Each step looks for what is due (never a far-future
countdown), is idempotent, and runs on its own, so one failing step does not hold up the others:

- outbox jobs that are due again, were never handed to a worker, or were lost with one;
- rounds whose next phase date has passed;
- urns holding enough cast ballots to seal them into the ballot box (all that is left once voting closed);
- register matches and ballots still waiting for verification;
- commitments whose planned delivery date has passed;
- registers whose retention after publication has passed;
- e-mail still queued long after it was written, with no job left to send it;
- published rounds with result subscribers nobody told yet.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask

from app.extensions import db
from app.services.commitments import overdue
from app.services.eligibility import matches, retention
from app.services.notifications import mail, result_subscriptions
from app.services.rounds import phases
from app.services.voting import urn
from tasks import relay
from tasks.base import job

log = logging.getLogger(__name__)

SWEEP_INTERVAL = 60.0  # seconds; the beat schedule uses the same


def _steps() -> dict[str, Callable[[], Any]]:
    return {
        "rounds_moved": phases.advance_due_rounds,
        "urns_sealed": urn.seal_due_urns,
        "rounds_verified": matches.verify_all_pending,
        "commitments_flagged": overdue.flag_overdue_commitments,
        "registers_purged": retention.purge_registers,
        "mail_requeued": mail.requeue_stuck_mail,
        "rounds_told": result_subscriptions.notify_untold_rounds,
        # Last, so the jobs the steps above asked for are handed over in the same sweep.
        "jobs_handed_over": relay.hand_over_due,
    }


def sweep_due_work() -> dict[str, int]:
    """Run every step once; returns how much each did (-1 for a step that failed; it runs again next time)."""
    done: dict[str, int] = {}
    for name, step in _steps().items():
        try:
            outcome = step()
            done[name] = len(outcome) if isinstance(outcome, list | tuple) else int(outcome or 0)
        except Exception:  # noqa: BLE001 - the other steps still run; this one is tried again next minute
            db.session.rollback()
            log.exception("sweep step %s failed", name)
            done[name] = -1
    return done


@job("wijkbudget.sweep", soft_time_limit=240, time_limit=270, acks_late=False)
def sweep() -> dict[str, int]:
    """Beat's minute: everything that is due (see the module docstring)."""
    return sweep_due_work()


class InProcessSweeper:
    """Sweeps every `interval` seconds in a daemon thread of this process (the embedded default has no beat)."""

    def __init__(self, app: Flask, interval: float = SWEEP_INTERVAL) -> None:
        self._app = app
        self._interval = interval
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="wijkbudget-sweep", daemon=True)

    def start(self) -> InProcessSweeper:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                with self._app.app_context():
                    sweep_due_work()
            except Exception:  # noqa: BLE001 - keep sweeping; the next minute may go better
                log.exception("in-process sweep failed")


def start_in_process_sweeper(app: Flask, interval: float = SWEEP_INTERVAL) -> InProcessSweeper:
    return InProcessSweeper(app, interval).start()
