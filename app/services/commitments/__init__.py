"""Commitments (toezeggingen): every winner is a public promise, with progress, photos, feedback and overdue flags."""
