"""``onemarket match``: suggestions written to 매칭 (the engine is :mod:`automation.matching`)."""
