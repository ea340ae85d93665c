"""Celery tasks: thin wrappers over services, taking ids and plain values."""
