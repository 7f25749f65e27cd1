"""Alembic history of the station's local store (separate from the central schema)."""
