"""Mahaliyat kernel: the parts every service shares and that hold no domain knowledge."""

__version__ = "0.1.0"
