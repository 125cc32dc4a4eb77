"""Use cases: the one place each table is queried and changed. They never commit."""
