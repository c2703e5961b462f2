"""``onemarket teams``: every 확정 pair in a team (협약), the grouping checked (the reading is :mod:`automation.domain.teams`)."""
