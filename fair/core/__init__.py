"""Shared domain: models, the fair, time, change signal, disclosure, reference data. No Flask routes."""
