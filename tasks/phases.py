"""Beat job that moves rounds through their phases when a phase date has passed."""

from __future__ import annotations

from celery import shared_task

from app.services.rounds import phases as phase_service


@shared_task(name="wijkbudget.advance_phases", soft_time_limit=120, time_limit=150)
def advance_phases() -> list[int]:
    """Look for rounds whose next phase date has passed and move them; returns the moved round ids."""
    return phase_service.advance_due_rounds()
