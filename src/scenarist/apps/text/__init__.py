"""The Text app (Make's Text parser): regular expressions and HTML to text.

- ``text.match_pattern`` (search): one bundle per match,
  ``{match, index, start, end, groups, named}``; ``index`` counts matches from 0,
  ``start``/``end`` are character offsets, ``groups`` lists the groups (null
  when a group took no part), ``named`` maps named groups to their text.
- ``text.replace`` (action): ``{text, count}``.
- ``text.html_to_text`` (action): ``{text}``.

Patterns run under a time limit on the ``regex`` package (see ``_pattern``).
"""

from scenarist.apps.text._html import HtmlParams, html_to_text
from scenarist.apps.text._pattern import MatchParams, ReplaceParams, match_pattern, replace
from scenarist.sdk import App, ModuleSpec

MATCH_PATTERN = ModuleSpec(
    key="match_pattern",
    label="Match pattern",
    description="Find a regular expression in a text: one bundle per match with its groups.",
    params=MatchParams,
    run=match_pattern,
    kind="search",
)
REPLACE = ModuleSpec(
    key="replace",
    label="Replace",
    description="Replace the matches of a regular expression in a text; outputs {text, count}.",
    params=ReplaceParams,
    run=replace,
)
HTML_TO_TEXT = ModuleSpec(
    key="html_to_text",
    label="HTML to text",
    description="Turn HTML into plain text: scripts and styles dropped, blocks on their own lines, "
    "entities decoded; outputs {text}.",
    params=HtmlParams,
    run=html_to_text,
)

app = App(
    key="text",
    label="Text parser",
    description="Match and replace regular expressions, and read the text of HTML.",
    modules=(MATCH_PATTERN, REPLACE, HTML_TO_TEXT),
)

__all__ = [
    "HTML_TO_TEXT",
    "MATCH_PATTERN",
    "REPLACE",
    "HtmlParams",
    "MatchParams",
    "ReplaceParams",
    "app",
]
