"""All SQL of the service: one module per table or aggregate, functions taking a session."""
