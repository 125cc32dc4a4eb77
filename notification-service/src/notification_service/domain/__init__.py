"""Pure notification rules: SMS encoding and segments, templates, tracking numbers, timing."""
