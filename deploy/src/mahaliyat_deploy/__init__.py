"""Runners: the embedded all-in-one process and the local distributed process runner."""
