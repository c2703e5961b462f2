"""``python -m automation`` runs the same CLI as the ``onemarket`` console script."""

from automation.cli import main

if __name__ == "__main__":
    main()
