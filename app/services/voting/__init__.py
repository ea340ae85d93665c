"""Voting: casting and checking ballots in one transaction, the poll book, anonymous voter keys, turnout."""
