"""Proposals: residents submit, edit and withdraw them; professionals review their feasibility in public."""
