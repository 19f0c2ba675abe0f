"""`python -m ingest.cli`: the `intake` command without its console script (as before the CLI became a package)."""

from ingest.cli.main import main

main()
