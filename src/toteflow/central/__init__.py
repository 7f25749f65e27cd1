"""The central server program: the API, its use cases, the store and integrations."""
