"""onemarket — spreadsheet jobs for 「우리동네 1社-1市場 협력 프로젝트」 (경기중기청).

The library never imports the CLI framework; see ``automation.cli`` for the command line.
"""

__version__ = "0.1.0"
