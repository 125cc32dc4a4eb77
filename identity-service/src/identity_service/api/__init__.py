"""HTTP endpoints: thin, one module per resource."""
