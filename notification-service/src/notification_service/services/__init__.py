"""Use cases: given a session (or the database, for the sender's rounds) and the adapters; they never commit."""
