"""The demo wijk that `wijkbudget demo` seeds: accounts, rounds in every phase, ballots and commitments."""
