"""Alembic migration scripts for the central database."""
