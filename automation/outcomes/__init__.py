"""``onemarket outcomes``: a tab per partnered market in the outcomes file, and reminders."""
