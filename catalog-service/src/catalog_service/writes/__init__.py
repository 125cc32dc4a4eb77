"""Admin changes to the catalogue. Each raises the generation, writes its event to the outbox
in the same transaction, and never commits (the unit of work does)."""
