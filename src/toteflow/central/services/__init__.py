"""The server's use cases: each takes a unit of work, checks the actor, commits with audit rows."""
