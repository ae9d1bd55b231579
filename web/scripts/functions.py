"""Generate web/src/features/run/functions.generated.ts from docs/functions.md (``make functions``).

Each ``### `name(signature)` `` heading under a ``## Category`` becomes one entry: the name, the signature
as written, the category and the first sentence of the paragraph below it (one line).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "docs" / "functions.md"
TARGET = ROOT / "web" / "src" / "features" / "run" / "functions.generated.ts"
SKIPPED = {"Operators", "Deviations from Make"}
HEADING = re.compile(r"^### `([^`]+)`")


def first_sentence(paragraph: str) -> str:
    text = " ".join(paragraph.split())
    match = re.search(r"(?<![.\w]\w)(?<!e\.g)(?<!i\.e)\.(\s|$)", text)
    return text[: match.start() + 1] if match else text


def entries(markdown: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    category, heading, paragraph = "", None, []
    for line in [*markdown.splitlines(), "## end"]:
        if heading is not None and (line.startswith("#") or (not line.strip() and paragraph)):
            found.append({**heading, "description": first_sentence(" ".join(paragraph))})
            heading, paragraph = None, []
        if line.startswith("## "):
            category = line[3:].strip()
        elif (match := HEADING.match(line)) and category not in SKIPPED:
            signature = match.group(1)
            heading = {"name": re.split(r"[(\s]", signature, maxsplit=1)[0], "signature": signature,
                       "category": category}
        elif heading is not None and line.strip():
            paragraph.append(line.strip())
    return found


def generate() -> str:
    items = ",\n".join("  " + json.dumps(entry, ensure_ascii=False) for entry in entries(SOURCE.read_text()))
    return (
        "// Generated from docs/functions.md by web/scripts/functions.py (`make functions`): do not edit.\n"
        "export interface FunctionDoc {\n  name: string;\n  signature: string;\n  category: string;\n"
        "  description: string;\n}\n\n"
        f"export const FUNCTIONS: readonly FunctionDoc[] = [\n{items},\n];\n"
    )


if __name__ == "__main__":
    TARGET.write_text(generate())
    sys.stdout.write(f"{TARGET.relative_to(ROOT)}\n")
