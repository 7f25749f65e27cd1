"""Station-side tests: the local store, floor actions, the sync worker and the real server."""
