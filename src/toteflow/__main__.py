"""Run the command line as `python -m toteflow`."""

from toteflow.cli import main

main()
