"""SQLModel tables, engines and the unit of work."""
