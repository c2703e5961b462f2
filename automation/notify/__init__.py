"""``onemarket notify``: one notice to each side of a confirmed pair, at most once."""
