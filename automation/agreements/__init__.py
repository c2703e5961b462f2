"""``onemarket agreements``: 업무협약서 for confirmed pairs."""
