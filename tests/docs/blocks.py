"""The fenced code blocks of the site's pages, with the marker comment that may precede each one.

The convention (docs/pages/contributing.md): ``sh`` blocks are shell commands, run by test_snippets.py unless the
line before the fence is ``<!-- not run: REASON -->``; ``<!-- exits 2 -->`` runs them expecting exit status 2;
``python`` blocks are all executed; anything else (``text``, ``toml``, ...) is shown, never run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

PAGES = Path(__file__).resolve().parents[2] / "docs" / "pages"
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+|~~~+)(?P<lang>[\w-]*)")
MARKER = re.compile(r"^\s*<!-- (?:not run: (?P<reason>.*\S)|(?P<exits>exits 2)) -->\s*$")
INDENTED_COMMAND = re.compile(r"^ {4,}(python -m |pip install|rlkit: error)")


@dataclass(frozen=True)
class Block:
    page: str  # relative to docs/pages
    line: int  # 1-based line of the opening fence
    lang: str
    code: str
    not_run: str | None  # the reason, when marked not run
    exits_2: bool

    @property
    def where(self) -> str:
        return f"docs/pages/{self.page}:{self.line}"


def pages() -> list[Path]:
    return sorted(PAGES.rglob("*.md"))


def blocks(path: Path) -> list[Block]:
    lines = path.read_text().splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        indent, fence = len(match["indent"]), match["fence"]
        body, j = [], i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence):
            body.append(lines[j][indent:] if not lines[j][:indent].strip() else lines[j].lstrip())
            j += 1
        previous = next((lines[k] for k in range(i - 1, -1, -1) if lines[k].strip()), "")
        marker = MARKER.match(previous)
        out.append(Block(str(path.relative_to(PAGES)), i + 1, match["lang"], "\n".join(body) + "\n",
                         marker["reason"] if marker and marker["reason"] else None,
                         bool(marker and marker["exits"])))
        i = j + 1
    return out


def indented_commands(path: Path) -> list[int]:
    """Lines that hold a command or an error line in an indented code block (outside fences): not allowed."""
    inside, found = None, []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        match = FENCE.match(line)
        if match and inside is None:
            inside = match["fence"]
        elif inside and line.strip().startswith(inside):
            inside = None
        elif inside is None and INDENTED_COMMAND.match(line):
            found.append(number)
    return found


def commands(code: str) -> list[str]:
    """One shell command per line; a trailing backslash continues it; comments and blank lines dropped."""
    joined = re.sub(r"\\\n\s*", " ", code)
    out = []
    for line in joined.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if line:
            out.append(line)
    return out
