"""Rounds: wijken and their areas, a round's kaders, its phases by hand and by date, and public amendments."""
