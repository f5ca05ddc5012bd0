"""Every vignette in tests/vignettes/ through the assessment, checking every `expect` key."""

from __future__ import annotations

import json

import pytest

from tests.screening_helpers import VIGNETTES_DIR, all_considerations, option_codes, run

VIGNETTE_FILES = sorted(VIGNETTES_DIR.glob("*.json"))


def _check_equal(result: dict, path: tuple[str, ...]):
    def check(expected):
        actual = result
        for key in path:
            actual = actual[key]
        assert actual == expected, f"{'.'.join(path)}: expected {expected!r}, got {actual!r}"

    return check


def _check_members(actual: set[str], *, present: bool):
    def check(expected):
        wrong = {code for code in expected if (code in actual) != present}
        assert not wrong, f"{'missing' if present else 'unexpected'}: {sorted(wrong)}"

    return check


def _checkers(result: dict) -> dict:
    options = set(option_codes(result))
    considerations = all_considerations(result)
    return {
        "trd_status": _check_equal(result, ("trd", "status")),
        "confirmed": _check_equal(result, ("trd", "confirmed")),
        "possible": _check_equal(result, ("trd", "possible")),
        "strict_confirmed": _check_equal(result, ("trd", "strict_confirmed")),
        "safety_level": _check_equal(result, ("safety", "level")),
        "phq9_total": _check_equal(result, ("phq9", "total")),
        "phq9_band": _check_equal(result, ("phq9", "band")),
        "msm_total": _check_equal(result, ("msm", "total")),
        "msm_band": _check_equal(result, ("msm", "band")),
        "options_include": _check_members(options, present=True),
        "options_exclude": _check_members(options, present=False),
        "considerations_include": _check_members(considerations, present=True),
        "considerations_exclude": _check_members(considerations, present=False),
    }


def test_all_vignettes_are_present():
    assert len(VIGNETTE_FILES) >= 11


@pytest.mark.parametrize("path", VIGNETTE_FILES, ids=lambda path: path.stem)
def test_vignette(path):
    vignette = json.loads(path.read_text(encoding="utf-8"))
    assert vignette["id"] == path.stem
    result = run(vignette["answers"])
    checkers = _checkers(result)

    unknown = set(vignette["expect"]) - set(checkers)
    assert not unknown, f"expect keys this test does not know how to check: {sorted(unknown)}"

    failures = []
    for key, expected in vignette["expect"].items():
        try:
            checkers[key](expected)
        except AssertionError as error:
            failures.append(f"{key}: {error}")
    assert not failures, f"{vignette['description']}\n" + "\n".join(failures)
