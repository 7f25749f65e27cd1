"""The station's Textual app: one mode per role, screens in their own files."""
