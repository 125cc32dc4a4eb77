"""Licensing rules without I/O: cases, requirements, statutory clocks, inspections, numbers."""
