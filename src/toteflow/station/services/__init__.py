"""Use cases: each takes a unit of work and commits state with its outbox event."""
