"""Accounts: registering, signing in, languages and confirming a resident's e-mail address."""
