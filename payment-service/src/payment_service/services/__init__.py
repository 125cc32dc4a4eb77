"""The use cases: take a session and the Adapters, check access, write through queries/; never commit."""
