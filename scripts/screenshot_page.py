"""Take the README's screenshot of the interactive page (docs/page-screenshot.png).

    python scripts/screenshot_page.py

Opens reports/current-2026-11-22.html (regenerate it first with scripts/build_reports.py) in Debian's chromium
through Playwright (`pip install -e '.[test]'`, `apt-get install chromium`), Italian, Japanese and Hindi with a
mixed workload, and saves a palette-reduced PNG so the repository stays small.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VIEW = "#l=it,ja,hi,de&direction=mixed&output-ratio=0.5&cached-share=0.3"


def main() -> None:
    from PIL import Image
    from playwright.sync_api import sync_playwright

    page_path = ROOT / "reports" / "current-2026-11-22.html"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium")
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto(page_path.as_uri() + VIEW)
        page.wait_for_selector("#ratio-table td[data-ratio]")
        page.hover("#ratio-table tbody tr:nth-child(2) td:nth-child(6)")
        png = page.screenshot()
        browser.close()
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64)
    out = ROOT / "docs" / "page-screenshot.png"
    image.save(out, optimize=True)
    print(f"{out.relative_to(ROOT)}: {out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
