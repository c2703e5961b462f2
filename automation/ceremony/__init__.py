"""``onemarket ceremony --round N``: the signing pack of one 협약식 (agreements bundle, running order, name plates)."""
