"""Demo data for development and test (never seeded in staging or production)."""
