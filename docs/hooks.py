"""mkdocs hooks (docs/mkdocs.yml): the generated configuration reference, and links into the source tree.

* ``config-reference.md`` is generated at build time by docs/config_reference.py; a page may also embed one
  agent's option table with ``<!-- config-reference: agent NAME -->``.
* A page's relative link to a file of the repo outside the site (``../../rlkit/nn/conv.py#L85``, which works when
  the Markdown is read on a forge) becomes a link to a generated page of the site showing that file with line
  numbers, ``source/rlkit/nn/conv.py/``, at the same line. So the site is whole offline and --strict stays clean.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path

from mkdocs.structure.files import File

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent
LINK = re.compile(r"\]\((?P<target>(?:\.\./)+[^)#\s]+)(?:#L(?P<line>\d+))?\)")
EMBED = re.compile(r"^<!-- config-reference: agent (?P<name>[\w-]+) -->$", re.MULTILINE)
LANGUAGES = {".py": "python", ".yaml": "yaml", ".toml": "toml", ".md": "markdown"}


def _config_reference():
    """docs/config_reference.py, imported by path (docs/ is not a package)."""
    if "config_reference" not in sys.modules:
        spec = importlib.util.spec_from_file_location("config_reference", DOCS / "config_reference.py")
        sys.modules["config_reference"] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules["config_reference"])
    return sys.modules["config_reference"]


def _repo_file(page_src: Path, target: str) -> Path | None:
    """The repo file a relative link points at, when it lies outside the site's pages; else None."""
    path = (page_src.parent / target).resolve()
    docs_dir = (DOCS / "pages").resolve()
    if path.is_file() and REPO in path.parents and docs_dir not in path.parents:
        return path
    return None


def _source_page(path: Path) -> str:
    rel = path.relative_to(REPO).as_posix()
    language = LANGUAGES.get(path.suffix, "text")
    return f"# `{rel}`\n\n````{language} linenums=\"1\"\n{path.read_text()}\n````\n"


def on_files(files, config):
    files.append(File.generated(config, "config-reference.md", content=_config_reference().reference()))
    sources: set[Path] = set()
    for file in files.documentation_pages():
        if file.abs_src_path:
            page = Path(file.abs_src_path)
            sources.update(p for m in LINK.finditer(page.read_text()) if (p := _repo_file(page, m["target"])))
    for path in sorted(sources):
        uri = f"source/{path.relative_to(REPO).as_posix()}.md"
        files.append(File.generated(config, uri, content=_source_page(path)))
    return files


def on_page_markdown(markdown, page, config, files):
    reference = _config_reference() if EMBED.search(markdown) else None
    markdown = EMBED.sub(lambda m: reference.agent_table(m["name"]), markdown)
    if not page.file.abs_src_path:
        return markdown
    src = Path(page.file.abs_src_path)

    def relink(match: re.Match) -> str:
        path = _repo_file(src, match["target"])
        if path is None:
            return match[0]
        uri = f"source/{path.relative_to(REPO).as_posix()}.md"
        link = os.path.relpath(uri, os.path.dirname(page.file.src_uri) or ".")
        anchor = f"#__codelineno-0-{match['line']}" if match["line"] else ""
        return f"]({link}{anchor})"

    return LINK.sub(relink, markdown)
