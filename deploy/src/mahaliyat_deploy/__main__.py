"""``python -m mahaliyat_deploy``: run the platform."""

from mahaliyat_deploy.cli import app

app()
