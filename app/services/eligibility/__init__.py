"""Who may vote: voter registers (import, match, retention), open-round conditions and an account's rights."""
