"""A tiny SYNTHETIC scorecard (invented city, invented figures) for tests and for previewing the templates.

Nothing here describes a real place: the values only exercise every branch of the pages — a target met, on
track, moving away, a disaggregated series, an overdue indicator, one with a single value, one with no data,
and hostile text (markup, a ``</script>`` note, a ``javascript:`` source) that must come out inert.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from tracker.assess.base import Assessment, Category, IndicatorResult, ObjectiveSummary, Point, Projection
from tracker.assess.outcome import Outcome
from tracker.catalog import (
    Baseline,
    Catalog,
    Disaggregation,
    Entry,
    Indicator,
    Objective,
    Source,
    Target,
    Unit,
)
from tracker.config import City, Config, Localized, Settings
from tracker.observations import Observation

HOSTILE_NOTE = "</script><script>alert(1)</script>"
GENERATED_AT = datetime(2025, 11, 26, 6, 0, tzinfo=ZoneInfo("Europe/Rome"))


@dataclass
class Sample:
    settings: Settings
    catalog: Catalog
    observations: dict[str, list[Observation]]
    results: dict[str, IndicatorResult]
    summaries: dict[str, ObjectiveSummary]
    generated_at: datetime = GENERATED_AT

    @property
    def outcome(self) -> Outcome:
        """The sample as the assessment stage would hand it to the site."""
        return Outcome(self.results, self.summaries, self.observations)


def _l(it: str, en: str) -> Localized:
    return Localized(it=it, en=en)


def _obs(
    ind: str, values: dict[str, float], series: str = "", extra: dict[str, dict] | None = None
) -> list[Observation]:
    out = []
    extra = extra or {}
    for period, value in values.items():
        year = int(period[:4])
        time = year + (int(period[-1]) * 3 - 1.5) / 12 if "-Q" in period else year + 0.5
        fields = {"source": "https://example.org/synthetic", **extra.get(period, {})}
        out.append(Observation(ind, period, time, value, series, **fields))
    return out


def _ind(
    id: str,
    objective: str,
    code: str,
    name: Localized,
    unit: Unit,
    direction: Literal["increase", "decrease"],
    **kw: Any,
) -> Indicator:
    """An indicator of the sample; ``kw`` are more of its fields, checked by pydantic like a definition's."""
    return Indicator(
        id=id,
        objective=objective,
        code=code,
        name=name,
        definition=_l(f"Definizione sintetica di {name.it}.", f"Synthetic definition of {name.en}."),
        unit=unit,
        direction=direction,
        source=Source(name="Synthetic source", url="https://example.org/src"),
        **kw,
    )


def build_sample(root: Path) -> Sample:
    """Write the synthetic data files under ``root/indicators`` and return the pipeline's inputs."""
    config = Config(
        city=City(
            id="synthetica",
            name="Synthetica",
            title=_l("Synthetica (città sintetica) — quadro", "Synthetica (synthetic city) scorecard"),
            strategy=_l("Strategia sintetica di prova", "Synthetic test strategy"),
        )
    )
    settings = Settings(config, root)
    percent = Unit(kind="percent", label=_l("%", "%"), decimals=1)
    objectives = [
        Objective(
            id="environment",
            number=1,
            name=_l("Ambiente <sintetico>", "Synthetic <environment> & energy"),
            description=_l("Obiettivo sintetico sull'ambiente.", "A synthetic environment objective."),
        ),
        Objective(
            id="mobility",
            number=2,
            name=_l("Mobilità sintetica", "Synthetic mobility"),
            description=_l("Obiettivo sintetico sulla mobilità.", "A synthetic mobility objective."),
        ),
        Objective(
            id="empty",
            number=3,
            name=_l("Obiettivo senza indicatori", "Objective without indicators"),
            description=_l("Nessun indicatore ancora.", "No indicators yet."),
        ),
    ]
    indicators = [
        _ind(
            "separate-waste",
            "environment",
            "1.1",
            _l("Raccolta differenziata", "Separate <b>waste</b> & collection"),
            percent,
            "increase",
            baseline=Baseline(year=2015),
            target=Target(
                value=70.0,
                year=2030,
                basis="policy",
                reference=_l("Piano sintetico", "Synthetic plan"),
                url="https://example.org/plan",
            ),
            standards=["ISO 37120:2018 16.3"],
        ),
        _ind(
            "shared-bikes",
            "mobility",
            "2.1",
            _l("Bici condivise per 100 000 ab.", "Shared bikes per 100,000 inh."),
            Unit(kind="rate", label=_l("bici/100 000 ab.", "bikes/100,000 inh."), decimals=0),
            "increase",
            frequency="quarterly",
            target=Target(
                value=600.0,
                year=2030,
                basis="proposal",
                reference=_l("Proposta sintetica", "Synthetic proposal"),
            ),
            disaggregations=[
                Disaggregation(column="district", label=_l("Municipio", "District"), values=["1", "2"])
            ],
        ),
        _ind(
            "pm10-days",
            "environment",
            "1.2",
            _l("Giorni oltre il limite PM10", "Days above the PM10 limit"),
            Unit(kind="count", label=_l("giorni", "days"), decimals=0),
            "decrease",
            baseline=Baseline(year=2012, value=90.0),
            target=Target(
                value=35.0,
                year=2030,
                basis="policy",
                reference=_l("Direttiva sintetica", "Synthetic directive"),
            ),
        ),
        _ind(
            "wifi-hotspots",
            "mobility",
            "2.2",
            _l("Hotspot Wi-Fi pubblici", "Public Wi-Fi hotspots"),
            Unit(kind="count", label=_l("hotspot", "hotspots"), decimals=0),
            "increase",
            data_note=_l("Nessun dato pubblicato finora.", "No figure has been published so far."),
        ),
        _ind(
            "turnout",
            "mobility",
            "2.3",
            _l("Affluenza", "Voter turnout"),
            percent,
            "increase",
            frequency="irregular",
        ),
    ]
    folder = root / "indicators"
    entries = []
    for ind in indicators:
        sub = folder / ind.objective
        sub.mkdir(parents=True, exist_ok=True)
        definition = sub / f"{ind.id}.yaml"
        definition.write_text(f"id: {ind.id}\n# synthetic\n", encoding="utf-8")
        data = sub / f"{ind.id}.csv" if ind.id != "wifi-hotspots" else None
        if data:
            data.write_text("period,value\n", encoding="utf-8")
            stamp = datetime(2025, 10, 1, 12, tzinfo=ZoneInfo("Europe/Rome")).timestamp()
            os.utime(data, (stamp, stamp))
        entries.append(Entry(ind, definition, data))
    catalog = Catalog(root=folder, objectives=objectives, entries=entries)

    waste = {
        str(y): v
        for y, v in zip(
            range(2012, 2024),
            [48.0, 50.1, 51.0, 52.3, 53.0, 55.2, 56.9, 58.1, 59.5, 60.3, 61.8, 63.1],
            strict=True,
        )
    }
    bikes = {
        f"{y}-Q{q}": 300.0 + 12 * i
        for i, (y, q) in enumerate((y, q) for y in (2023, 2024, 2025) for q in (1, 2, 3, 4))
        if (y, q) <= (2025, 2)
    }
    observations = {
        "separate-waste": _obs(
            "separate-waste",
            waste,
            extra={
                "2020": {"note": HOSTILE_NOTE, "flag": "break"},
                "2023": {"flag": "provisional", "note": "Dato <i>provvisorio</i>"},
            },
        ),
        "shared-bikes": _obs("shared-bikes", bikes)
        + _obs("shared-bikes", {k: v * 1.3 for k, v in bikes.items()}, series="district=1")
        + _obs("shared-bikes", {k: v * 0.7 for k, v in bikes.items()}, series="district=2"),
        "pm10-days": _obs(
            "pm10-days",
            {"2012": 90, "2014": 85, "2016": 80, "2018": 84, "2019": 88},
            extra={"2019": {"source": "javascript:alert(2)"}},
        ),
        "turnout": _obs("turnout", {"2021": 47.7}),
    }

    def assessment(
        method: str,
        window: str,
        category: Category,
        score: float | None,
        base: Point | None,
        latest: Point | None,
        figures: dict,
        projection: Projection | None = None,
        label: tuple[str, str] = ("", ""),
    ) -> Assessment:
        return Assessment(
            method,
            window,
            category,
            score,
            {"it": label[0], "en": label[1]},
            base,
            latest,
            figures,
            projection,
        )

    proj_points = [Point(2023.5, 63.1, "2023"), Point(2026.5, 67.2, "2026"), Point(2030.5, 71.9, "2030")]
    results = {
        "separate-waste": IndicatorResult(
            "separate-waste",
            assessment(
                "eurostat",
                "short",
                Category.ON_TRACK,
                2.9,
                Point(2018.5, 56.9, "2018"),
                Point(2023.5, 63.1, "2023"),
                {"actual_growth": 0.0208, "required_growth": 0.0184, "ratio": 1.13},
                Projection(
                    "drift",
                    2030.0,
                    71.9,
                    2029,
                    None,
                    proj_points,
                    low=[63.1, 62.0, 60.4],
                    high=[63.1, 72.4, 83.4],
                    drift=1.2,
                    sigma=1.5,
                    fitted_from="2018",
                    fitted_to="2023",
                    fitted_count=6,
                    reached_range=(2027, 2035),
                ),
                ("Progressi significativi verso l'obiettivo", "Significant progress towards the target"),
            ),
            others=[
                assessment(
                    "eurostat",
                    "long",
                    Category.MODERATE,
                    1.2,
                    Point(2012.5, 48.0, "2012"),
                    Point(2023.5, 63.1, "2023"),
                    {"actual_growth": 0.0252, "required_growth": 0.0209, "ratio": 1.2},
                )
            ],
        ),
        "shared-bikes": IndicatorResult(
            "shared-bikes",
            assessment(
                "opensdg",
                "base",
                Category.ACHIEVED,
                5.0,
                Point(2023.125, 300.0, "2023-Q1"),
                Point(2025.375, 408.0, "2025-Q2"),
                {"actual_growth": 0.084, "required_growth": 0.1},
                None,
                ("Obiettivo raggiunto", "Target achieved"),
            ),
            subseries={
                "district=1": assessment("opensdg", "base", Category.ACHIEVED, 5.0, None, None, {}),
                "district=2": assessment("opensdg", "base", Category.MODERATE, 0.8, None, None, {}),
            },
        ),
        "pm10-days": IndicatorResult(
            "pm10-days",
            assessment(
                "unsd",
                "base",
                Category.DETERIORATING,
                -3.8,
                Point(2012.5, 90.0, "2012"),
                Point(2019.5, 88.0, "2019"),
                {
                    "base_value": 90.0,
                    "sign": 1.0,
                    "actual_growth": -0.0032,
                    "projected_value": 85.1,
                    "ratio": -0.08,
                },
                Projection(
                    "drift",
                    2030.0,
                    85.1,
                    None,
                    2050,
                    [Point(2019.5, 88.0), Point(2030.5, 85.1, "2030")],
                    low=[88.0, 70.2],
                    high=[88.0, 100.0],
                    drift=-0.3,
                    sigma=3.1,
                    fitted_from="2014",
                    fitted_to="2019",
                    fitted_count=4,
                    reached_range=(2041, None),
                ),
                ("Regressione", "Regression"),
            ),
        ),
        "turnout": IndicatorResult(
            "turnout",
            Assessment(
                "linear",
                "base",
                Category.INSUFFICIENT_DATA,
                None,
                {"it": "", "en": ""},
                reason={"it": "Serve almeno un secondo valore.", "en": "At least a second value is needed."},
            ),
        ),
    }
    summaries = {
        "environment": ObjectiveSummary(
            "environment",
            -0.45,
            Category.LIMITED,
            {Category.ON_TRACK: 1, Category.DETERIORATING: 1},
            2,
            2,
            current=2,
        ),
        "mobility": ObjectiveSummary(
            "mobility",
            5.0,
            Category.ON_TRACK,
            {Category.ACHIEVED: 1, Category.INSUFFICIENT_DATA: 2},
            1,
            3,
            current=1,
            min_coverage=1 / 3,
        ),
        "empty": ObjectiveSummary("empty", None, Category.INSUFFICIENT_DATA, {}, 0, 0),
    }
    return Sample(settings, catalog, observations, results, summaries)
