"""Requests service (الطلبات): Applications from every channel, documents, tracking numbers, the front-office/back-office workflow and SLAs."""
