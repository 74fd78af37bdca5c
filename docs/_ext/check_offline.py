"""Check that built HTML loads nothing from another host: ``python check_offline.py docs/_build/html``.

Scripts, stylesheets, images, fonts, frames and ``@import``/``url()`` in CSS must be files of the
build (or ``data:`` URIs); ordinary links (``<a href>``) to papers and projects are allowed, as they
load nothing when a page is shown. Exit status 1 and one line per offending reference otherwise.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

#: Elements that make a browser fetch a resource when the page is shown, and their URL attributes.
TAG = re.compile(r"<(script|link|img|iframe|source|video|audio|embed|object)\b([^>]*)>", re.IGNORECASE)
ATTR = re.compile(r"""\b(src|href|data|srcset|rel)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
#: ``<link rel=...>`` kinds that fetch (``canonical``, ``next``, ``search`` ... are plain links).
FETCHING_LINKS = ("stylesheet", "preload", "icon", "modulepreload", "prefetch", "manifest")
CSS_URL = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])((?:https?:)?//[^"')\s]+)""", re.IGNORECASE)
EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)


def external_references(text: str, css: bool = False) -> list[str]:
    """The URLs in ``text`` that a browser would fetch from another host."""
    found = [m.group(1) for m in CSS_URL.finditer(text)]
    if css:
        return found
    for tag, attrs in TAG.findall(text):
        values = {k.lower(): v for k, v in ATTR.findall(attrs)}
        if tag.lower() == "link" and not any(r in values.get("rel", "").lower() for r in FETCHING_LINKS):
            continue
        for key in ("src", "href", "data", "srcset"):
            urls = [u.strip().split(" ")[0] for u in values.get(key, "").split(",")]
            found += [u for u in urls if EXTERNAL.match(u)]
    return found


def check(folder) -> list[str]:
    """``"file: url"`` for every external fetch in the HTML, CSS and JS of ``folder``."""
    problems = []
    for path in sorted(Path(folder).rglob("*")):
        if path.suffix in (".html", ".css"):
            for url in external_references(path.read_text(errors="replace"), css=path.suffix == ".css"):
                problems.append(f"{path.relative_to(folder)}: {url}")
    return problems


def main(argv=None) -> int:
    folder = Path((argv or sys.argv[1:] or ["docs/_build/html"])[0])
    if not (folder / "index.html").exists():
        print(f"check_offline: no built documentation in {folder}", file=sys.stderr)
        return 1
    problems = check(folder)
    for line in problems:
        print(f"external resource: {line}", file=sys.stderr)
    print(f"check_offline: {len(problems)} external resource(s) in {folder}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
