"""Adapter that exposes a Vigil command as a west extension command with the same arguments."""

from __future__ import annotations

import sys
from types import ModuleType

from west.commands import WestCommand

from vigil.cli.common import run_guarded
from vigil.workspace import build_dir_format


class VigilWestCommand(WestCommand):
    """Subclasses set `command` to a module of vigil.cli (NAME, HELP, add_arguments, run)."""

    command: ModuleType

    def __init__(self):
        super().__init__(self.command.NAME, self.command.HELP, self.command.__doc__ or self.command.HELP)

    def do_add_parser(self, parser_adder):
        parser = parser_adder.add_parser(self.name, help=self.help, description=self.description)
        self.command.add_arguments(parser)
        return parser

    def do_run(self, args, unknown):
        # Commands that read a build folder find it as `west build` does, build.dir-fmt included.
        args.build_dir_format = build_dir_format(self.config if self.has_config else None)
        code = run_guarded(self.command.run, args)
        if code:
            sys.exit(code)
