"""Every database query of the catalogue, one module per table (group); rows become domain objects here."""
