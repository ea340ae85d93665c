"""Letter-code jobs: generate a batch's codes and printable letters.

Idempotent: a finished batch is left alone; an unfinished (or failed) one starts over, its earlier codes never
having been handed over. The batch records its own failure, which the organiser sees. Arguments and results
never hold a code.
"""

from __future__ import annotations

from app.services.codes import batches as code_batches
from tasks.base import job


@job("wijkbudget.generate_codes", soft_time_limit=900, time_limit=960)
def generate_codes(batch_id: int) -> int:
    """Generate the codes and letters of a batch; returns how many were made."""
    return code_batches.generate_codes(batch_id).generated
