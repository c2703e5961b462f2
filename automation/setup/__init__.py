"""Setting the workbooks up: ``init`` (tabs, headers, drop-downs) and ``import-markets``."""
