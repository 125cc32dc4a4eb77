"""Pure rules of the request service: no I/O, no framework."""
