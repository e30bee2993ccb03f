from heliograph.cli import run

run()
