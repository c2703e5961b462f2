"""The programme's shared words and rules: pairs, IDs, market names, tabs, outcome tabs and records."""
