"""Residents: rounds, kaders, proposals and ballots."""
