"""``onemarket summary``: the managers' dashboard, rebuilt whole."""
