"""Printing letters fast: a streaming PDF writer and a QR stamp for codes of one fixed shape.

Pure Python (no Flask, database or Celery): the services supply the texts and the codes.
"""
