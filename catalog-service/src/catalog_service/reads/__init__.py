"""Answers to read requests, computed from a catalogue snapshot (no database access)."""
