"""The site fed by the real assessment (tracker.assess) on the SYNTHETIC sample: every field the methods emit
is accepted by the schema, labelled on the page, and drawn."""

from __future__ import annotations

import json
import re
from pathlib import Path

import plotly.graph_objects as go
import pytest
from jsonschema import Draft202012Validator

from tracker.assess import assess_indicator
from tracker.assess.outcome import Outcome
from tracker.assess.rollup import summarize
from tracker.site.build import SiteReport, build_site
from tracker.site.context import FIGURES
from tracker.site.sample import build_sample

SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "scorecard.schema.json"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> SiteReport:
    root = tmp_path_factory.mktemp("synthetic-assessed")
    s = build_sample(root)
    config = s.settings.config.assessment
    results = {
        e.indicator.id: assess_indicator(e.indicator, s.observations.get(e.indicator.id, []), config)
        for e in s.catalog.entries
    }
    summaries = {
        o.id: summarize(
            o.id,
            [results[e.indicator.id] for e in s.catalog.of_objective(o.id)],
            len(s.catalog.of_objective(o.id)),
        )
        for o in s.catalog.objectives
    }
    return build_site(
        s.settings, s.catalog, Outcome(results, summaries, s.observations), generated_at=s.generated_at
    )


def test_scorecard_from_real_assessments_is_schema_valid(report: SiteReport) -> None:
    scorecard = json.loads((report.path / "scorecard.json").read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(scorecard)] == []
    methods = {i["method"] for o in scorecard["objectives"] for i in o["indicators"]}
    assert {"linear", "eurostat"} <= methods  # percentages go linear, counts and rates Eurostat


def test_every_figure_row_is_labelled_and_every_chart_is_valid(report: SiteReport) -> None:
    rows = 0
    for page in (report.path / "en" / "indicators").glob("*.html"):
        text = page.read_text(encoding="utf-8")
        table = re.search(r'<table class="figures-table">.*?</table>', text, re.S)
        if table:
            labels = re.findall(r'<tr><th scope="row">([^<]*)</th>', table.group(0))
            rows += len(labels)
            assert not set(labels) & set(FIGURES), page.name  # no raw key leaks as a label
        spec = re.search(r'<script type="application/json" id="chart-spec">(.*?)</script>', text, re.S)
        if spec:
            chart = json.loads(spec.group(1))
            go.Figure(data=chart["data"], layout=chart["layout"])
    assert rows > 10
