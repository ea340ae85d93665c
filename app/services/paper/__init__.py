"""Paper and assisted ballots: polling locations, poll workers, finding the voter, four-eyes confirmation."""
