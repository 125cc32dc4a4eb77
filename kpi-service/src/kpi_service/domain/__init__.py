"""KPI rules with no I/O: facts from events, order-free rollups, indicators, scorecards, periods."""
