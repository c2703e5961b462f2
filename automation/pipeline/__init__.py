"""The runner every command goes through: steps, lock, run log (작업기록), schedule."""
