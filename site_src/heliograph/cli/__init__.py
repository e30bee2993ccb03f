"""The command line: each subcommand parses its options and calls one library function.

`main` is the whole program (`heliograph [command]`, `python build.py [command]`); each module
here holds one family of commands and adds them to the parser with its `register`.
"""

from heliograph.cli.main import main, parse_now, parser, run

__all__ = ["main", "parse_now", "parser", "run"]
