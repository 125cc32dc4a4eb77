"""All of the service's SQL, one module per table group."""
