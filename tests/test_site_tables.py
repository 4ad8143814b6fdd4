"""The data table's rows, built in Python (tracker.site.tables), are exactly what the Jinja loop they replace
wrote: same markup, same escaping of hostile notes and sources, same words (SYNTHETIC catalogue)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.site.build import REPO_TEMPLATES
from tracker.site.context import build_context
from tracker.site.i18n import make_environment
from tracker.site.sample import HOSTILE_NOTE, build_sample

#: The loop of templates/_data_table.html before the rows moved to Python, with the macros it called.
FORMER_LOOP = """{% macro value(ind, number) -%}
{{ fmt.value(number, ind.unit.kind, ind.unit.label|loc, ind.unit.decimals) }}
{%- endmacro %}
{% macro source_link(text) -%}
{% if text.startswith("https://") or text.startswith("http://") %}<a href="{{ text }}" rel="external noopener">{{ _("source") }}</a>{% elif text %}{{ text }}{% endif %}
{%- endmacro %}
{% set ind = view.ind %}
{% set several = view.series|length > 1 %}
  <tbody>
  {% for s in view.series %}{% for o in s.observations %}
    <tr><th scope="row">{{ o.period }}</th>{% if several %}<td>{{ _("Total") if not s.key else s.labels[lang] }}</td>{% endif %}<td class="num">{{ value(ind, o.value) }}</td><td>{{ vocab.flag.get(o.flag, o.flag) }}</td><td>{{ o.note }}</td><td>{{ source_link(o.source) }}</td></tr>
  {% endfor %}{% endfor %}
  </tbody>
"""


@pytest.mark.parametrize("lang", ["it", "en"])
def test_rows_equal_the_former_template_loop(tmp_path: Path, lang: str) -> None:
    s = build_sample(tmp_path)
    ctx = build_context(s.settings, s.catalog, s.outcome, generated_at=s.generated_at)
    env = make_environment(REPO_TEMPLATES, lang)
    former = env.from_string(FORMER_LOOP)
    current = env.from_string("  <tbody>\n{{ data_rows(view) }}\n  </tbody>\n")
    views = [v for v in ctx.indicators if v.observations]
    assert {v.id for v in views} == {"separate-waste", "shared-bikes", "pm10-days", "turnout"}
    for view in views:
        expected = former.render(view=view).lstrip("\n")
        assert current.render(view=view) == expected, view.id
    waste = current.render(view=next(v for v in views if v.id == "separate-waste"))
    assert HOSTILE_NOTE not in waste and "&lt;/script&gt;" in waste
    pm10 = current.render(view=next(v for v in views if v.id == "pm10-days"))
    assert "<td>javascript:alert(2)</td>" in pm10 and 'href="javascript' not in pm10
