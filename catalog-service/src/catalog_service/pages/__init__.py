"""Server-rendered pages: a centre's public page and its QR code, the unified guide (HTML and PDF)."""
