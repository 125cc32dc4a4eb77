"""Reference data: the default SMS templates."""
