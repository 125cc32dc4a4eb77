"""Use cases: each takes a session and the service's adapters, and never commits."""
