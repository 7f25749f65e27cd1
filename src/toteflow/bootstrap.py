"""The one place that chooses implementations: stores, clients, devices."""
