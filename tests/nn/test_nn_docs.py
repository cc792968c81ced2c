"""docs/pages/backprop.md stays true: its code links point at the lines they quote, and its worked example holds."""

import re
from pathlib import Path

import torch

from rlkit.nn import conv as conv_module

DOCS = Path(__file__).resolve().parents[2] / "docs" / "pages"
LINK = re.compile(r"\[`(?P<code>[^`]+)`\]\(\.\./\.\./(?P<path>[\w/.]+)#L(?P<line>\d+)\)")


def test_backprop_links_point_at_the_quoted_code() -> None:
    text = (DOCS / "backprop.md").read_text()
    links = list(LINK.finditer(text))
    assert len(links) >= 20
    for link in links:
        lines = (DOCS.parents[1] / link["path"]).read_text().splitlines()
        line = int(link["line"])
        assert line <= len(lines) and link["code"] in lines[line - 1], \
            f"{link['path']}#L{line} no longer holds `{link['code']}`"


def test_worked_example_from_docs() -> None:
    """4×3 input, 2×2 kernel: 6 patches; folding ones counts how many patches copy each element."""
    x = torch.arange(1.0, 13.0).view(1, 1, 4, 3)
    rows = conv_module._patch_view(x, (2, 2), (1, 1), (1, 1)).reshape(6, 4)
    assert rows[0].tolist() == [1, 2, 4, 5] and rows[5].tolist() == [8, 9, 11, 12]  # patches (1,1) and (3,2)
    counts = conv_module._fold(torch.ones(6, 4), (1, 1, 4, 3), (2, 2), (1, 1), (0, 0), (1, 1))
    assert counts[0, 0].tolist() == [[1, 2, 1], [2, 4, 2], [2, 4, 2], [1, 2, 1]]
