"""Every patient page state is well-formed HTML, as a strict HTML5 parser reads it."""

import os
from pathlib import Path

import html5lib
import pytest

from tests.page_states import page_states

pytestmark = pytest.mark.django_db


def test_every_patient_page_state_is_well_formed_html():
    pages = page_states()
    keep = os.environ.get("PAGE_HTML_DIR")  # benchmarks/page_html.py keeps them to compare
    problems = {}
    for name, html in pages.items():
        if keep:
            Path(keep, name.replace(" ", "-") + ".html").write_text(html)
        try:
            html5lib.HTMLParser(strict=True).parse(html)
        except html5lib.html5parser.ParseError as error:
            problems[name] = str(error)
    assert not problems
