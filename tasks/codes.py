"""Letter-code jobs: generate a batch's codes and printable letters.

Idempotent: a finished batch is left alone; an unfinished one starts over (its earlier codes were never
handed over). Transient database errors are retried with backoff; a batch that gives up is marked failed
with the reason, which the organiser sees. Arguments and results never hold a code.
"""

from __future__ import annotations

from celery import shared_task

from app.services.codes import batches as code_batches
from tasks.counting import JOB_OPTIONS


@shared_task(name="wijkbudget.generate_codes", **{**JOB_OPTIONS, "soft_time_limit": 900, "time_limit": 960})
def generate_codes(batch_id: int) -> int:
    """Generate the codes and letters of a batch; returns how many were made."""
    return code_batches.generate_codes(batch_id).generated
