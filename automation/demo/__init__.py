"""``onemarket demo``: an offline example folder, run as staff would."""
