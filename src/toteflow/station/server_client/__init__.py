"""The station's sync client: push the outbox, pull the change feed."""
