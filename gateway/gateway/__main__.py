"""``python -m gateway <command>``: the administration CLI."""

from .cli import main

main(prog_name="python -m gateway")
