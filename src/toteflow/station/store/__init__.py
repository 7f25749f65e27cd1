"""The station's local SQLite store: credentials, sync state, outbox, tasks and caches."""
