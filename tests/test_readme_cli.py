"""Every command and every option of `vnnews` is documented in the README (sqlite-utils habit)."""

from pathlib import Path

import click
import pytest

from scraper.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "vnnews") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = [(prefix, group)]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += commands(command, f"{prefix} {name}")
        else:
            found.append((f"{prefix} {name}", command))
    return found


@pytest.mark.parametrize(("name", "command"), commands(main), ids=lambda value: str(value))
def test_command_and_options_are_in_the_readme(name: str, command: click.Command) -> None:
    if name != "vnnews":
        assert f"`{name}" in README, f"{name} is not documented in README.md"
    for param in command.params:
        if isinstance(param, click.Option) and not {"--help", "--version"} & set(param.opts):
            assert any(f"`{opt}" in README for opt in param.opts), (
                f"{name} {'/'.join(param.opts)} is not documented in README.md"
            )
