"""What a reader sees on a built page, and the words that give away prose in the other language.

Used by ``test_site_language``: the visible text of every page (scripts and styles left out, attributes a
reader meets included: ``title``, ``alt``, ``aria-label``, ``placeholder``), the chart tooltips and series names
from the chart specs, without passages marked as another language (``lang="it"`` on a name in an English page)
and without quotations (a note may quote its Italian source word for word).
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

#: Words that only English prose uses (none is also an Italian word or a name used on these pages).
ENGLISH = frozenset(
    str.split("""the of and with from press recorded lower bound which between about see rounded
report worst station trees planted verify clause item extracted ranking worldwide figure figures year years
data-set first last value values after before since until one two three this that these those quoting
survey opening launched portal approximate presumed shrubs season spring plants province registered
""")
)
#: Words that only Italian prose uses.
ITALIAN = frozenset(
    str.split("""della delle degli dei nel nella nelle sono anno anni valore valori dati stampa fonte
circa rilevato alberi secondo comunicato sulla sulle dalla dalle questo questa primo prima ultimo arrotondato
stazione piantati nota regionale""")
)
#: Words that only French prose uses (checked on the English pages of a French and English project).
FRENCH = frozenset(
    str.split("""les des une pour avec dans sur est sont données valeur valeurs année années objectif tendance
appréciation dernière depuis aucune aucun être selon""")
)
#: On a French page: English and Italian markers, without the words French writes the same way.
NOT_FRENCH = (ENGLISH - {"station", "figure", "figures", "province", "plants", "report"}) | (
    ITALIAN - {"fonte", "circa"}
)
QUOTED = re.compile(r"(?<!\w)'[^']*'(?!\w)|‘[^’]*’|“[^”]*”|«[^»]*»|\"[^\"]*\"")
ADDRESS = re.compile(r"\S+\.[a-z]{2,}\S*|\S+@\S+")  # web and e-mail addresses: dati.comune.milano.it
WORD = re.compile(r"[A-Za-zÀ-ÿ]+(?:-[A-Za-zÀ-ÿ]+)*")
ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Visible(HTMLParser):
    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = lang
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden or other language)
        self.texts: list[str] = []
        self.charts: list[str] = []
        self._chart = False

    @property
    def muted(self) -> bool:
        return any(m for _, m in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        other = bool(values.get("lang")) and values["lang"] != self.lang and tag != "html"
        muted = tag in ("script", "style", "template", "cite") or other
        self._chart = tag == "script" and values.get("id") == "chart-spec"
        if not (self.muted or other):
            self.texts += [values[a] or "" for a in ATTRIBUTES if values.get(a)]
        if tag not in VOID:
            self.stack.append((tag, muted))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break
        self._chart = False

    def handle_data(self, data: str) -> None:
        if self._chart:
            self.charts.append(data)
        elif not self.muted:
            self.texts.append(data)


def visible_text(path: Path, lang: str) -> str:
    """The text of a page a reader of ``lang`` sees, the chart labels and tooltips included."""
    parser = _Visible(lang)
    parser.feed(path.read_text(encoding="utf-8"))
    texts = list(parser.texts)
    for spec in parser.charts:
        for trace in json.loads(spec).get("data", []):
            texts.append(html.unescape(trace.get("name", "")))
            for row in trace.get("customdata") or []:
                texts += [html.unescape(str(c)) for c in (row if isinstance(row, list) else [row])]
    return re.sub(r"<br>", " ", " ".join(texts))


def wrong_words(text: str, lang: str, markers: frozenset[str] | None = None) -> list[str]:
    """The marker words of another language in ``text`` (quotations left out): by default English on an Italian
    page, Italian on an English one, English or Italian on a French one."""
    if markers is None:
        markers = {"it": ENGLISH, "fr": NOT_FRENCH}.get(lang, ITALIAN)
    words = WORD.findall(QUOTED.sub(" ", ADDRESS.sub(" ", text)))
    return sorted({w for w in words if w.lower() in markers})
