"""The README's layout section names every area of board/: a newcomer finds their way."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_readme_layout_names_every_module_and_package():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- layout")[1].split("<!-- /layout -->")[0]
    package = ROOT / "board"
    areas = [p.name for p in package.glob("*.py") if p.name != "__init__.py"]
    areas += [f"{p.name}/" for p in package.iterdir() if (p / "__init__.py").is_file()]
    areas += ["templates/", "static/"]
    missing = [
        name for name in sorted(areas) if not re.search(rf"(^|\s){re.escape(name)}(\s|$)", block)
    ]
    assert not missing, f"README.md's layout section does not name: {missing}"
