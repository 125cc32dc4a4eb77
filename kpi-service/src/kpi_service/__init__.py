"""Performance indicators service (مؤشرات الأداء): Facts from every event, rollups, indicators against targets, drill-down by jurisdiction, dashboard."""
