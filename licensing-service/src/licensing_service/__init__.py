"""Licensing service (التراخيص): Building permits (Law 119/2008) and shop licences (Law 154/2019): review, inspection, decision, certificates."""
