"""Run the screening rules on answer histories from JSON files, for clinic QA.

Each file holds one answers object or a list of them (the schema of tests/vignettes/README.md;
a vignette object with an "answers" key is accepted too). One JSON line is printed per answers
object, in input order. Any bad input stops the run before anything is printed, with one line
naming the file, the item and the field, and exit status 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from intake.reference import engine_catalog, engine_thresholds
from intake.screening import AnswersError, assess, assessment_to_dict, parse_answers


def _reject(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "Assess answer histories from JSON files; print one JSON line per history."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args, files, **options):
        catalog = engine_catalog()
        if not catalog:
            raise _reject("the medication catalog is empty: run `manage.py load_catalog` first")
        thresholds = engine_thresholds()
        histories = [
            answers for name in files for answers in self._read(Path(name), catalog)
        ]
        out = sys.stdout
        for answers in histories:
            out.write(json.dumps(assessment_to_dict(assess(answers, catalog, thresholds)),
                                 separators=(",", ":")))
            out.write("\n")

    def _read(self, path: Path, catalog):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise _reject(f"{path}: cannot read file: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise _reject(f"{path}: not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise _reject(
                f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
            ) from None
        except RecursionError:
            raise _reject(f"{path}: JSON nested too deeply") from None
        items = data if isinstance(data, list) else [data]
        for index, item in enumerate(items):
            if isinstance(item, dict) and "answers" in item and "phq9" not in item:
                item = item["answers"]  # a vignette: {"id", "description", "answers", "expect"}
            try:
                yield parse_answers(item, catalog)
            except AnswersError as exc:
                raise _reject(
                    f"{path}: item {index}: field {exc.path}: {exc.message}"
                ) from None
