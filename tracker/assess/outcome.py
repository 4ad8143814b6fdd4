"""What the assessment stage hands to the site, as one value: the results, the roll-ups and the values behind them.

The site build takes an :class:`Outcome` rather than a dozen loose arguments, so a city bringing its own site
code, or a test, builds one value and passes it whole.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tracker.assess.base import IndicatorResult, ObjectiveSummary
from tracker.assess.brief import DataBrief
from tracker.observations import Observation

#: Observations of the given indicators, as ``tracker.store.current_observations`` returns them.
Loader = Callable[[list[str]], Mapping[str, list[Observation]]]


@dataclass(frozen=True)
class Outcome:
    """One run's assessment, as the pages need it.

    An indicator's values come from ``observations`` when they are in memory, else from its brief in ``briefs``
    (``loader`` brings the values of those whose pages must be rendered); one in neither has no values.
    """

    results: Mapping[str, IndicatorResult]
    summaries: Mapping[str, ObjectiveSummary]
    observations: Mapping[str, list[Observation]] = field(default_factory=dict)
    briefs: Mapping[str, DataBrief] = field(default_factory=dict)
    loader: Loader | None = None
    #: Each indicator's headline verdicts at earlier runs (``store.headline_history`` records).
    history: Mapping[str, list[Any]] = field(default_factory=dict)
    #: When the values of the indicators given by ``observations`` last changed (a brief carries its own).
    changed: Mapping[str, datetime] = field(default_factory=dict)
