"""The REST API at /api/v1/: what researchers read and what the newsroom's staff write (README, "Using the API")."""
