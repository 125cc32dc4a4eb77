"""Pure catalogue rules: geography codes, centres, services, fees, search, forms. No I/O."""
