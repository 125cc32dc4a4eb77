"""Payment rules with no I/O: states, numbers, signatures, ledger, refunds, settlement, tills."""
