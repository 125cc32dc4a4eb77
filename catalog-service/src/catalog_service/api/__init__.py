"""HTTP endpoints, one router module per resource; pages (``/c``, ``/guide``) are root routers."""
