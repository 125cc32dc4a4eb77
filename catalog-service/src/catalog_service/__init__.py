"""Catalog service (دليل الخدمات): Administrative geography, technology centres, the service catalogue with fees, search, QR pages and the unified guide."""
