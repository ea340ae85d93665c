"""Poll workers (stembureau): entering paper and assisted ballots, and confirming each other's entries."""
