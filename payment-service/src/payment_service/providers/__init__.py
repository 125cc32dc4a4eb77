"""Payment providers behind one port (:class:`base.PaymentProvider`)."""
