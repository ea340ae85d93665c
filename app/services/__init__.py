"""Use cases: one function per action. The actor is an argument; each call is one transaction."""
