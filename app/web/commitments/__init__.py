"""Commitments after publication: delivery timelines, progress, residents' feedback, comply or explain."""
