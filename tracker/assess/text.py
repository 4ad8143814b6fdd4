"""Plain-words reasons, in each language the tracker has words for, for an assessment that could not be made.

One table for all methods, so the same gap in the data is explained the same way on every page. Values are
formatted with ``:g``-style numbers so a reason never shows 15 decimals. The wordings of the assessment live
in per-language tables (here and in each method's module) rather than in the site's gettext catalogues: the
assessment runs below the site and its results are kept (``cache.py``) and compared as data, so each
result carries its words in every language; :func:`missing_wordings` tells which languages lack some.
"""

from __future__ import annotations

REASONS: dict[str, dict[str, str]] = {
    "no_data": {
        "en": "No exact values yet.",
        "it": "Ancora nessun valore esatto.",
        "fr": "Aucune valeur exacte pour l’instant.",
    },
    "one_value": {
        "en": "Needs at least two values at least one year apart; there is only one ({period}).",
        "it": "Servono almeno due valori a distanza di almeno un anno; ce n'è uno solo ({period}).",
        "fr": "Il faut au moins deux valeurs espacées d’au moins un an, or il n’y en a qu’une ({period}).",
    },
    "no_base": {
        "en": "No value in or after the base year {year}; the latest value is from {latest}.",
        "it": "Nessun valore dall'anno base {year} in poi; l'ultimo valore è del {latest}.",
        "fr": "Aucune valeur à partir de l’année de base {year}. La dernière valeur date de {latest}.",
    },
    "base_is_latest": {
        "en": "Needs at least two values at least one year apart from the base year {year} on; "
        "only {latest} has a value.",
        "it": "Servono almeno due valori a distanza di almeno un anno dall'anno base {year} in poi; "
        "c'è solo il valore del {latest}.",
        "fr": "Il faut au moins deux valeurs espacées d’au moins un an à partir de l’année de base {year}, or "
        "seule l’année {latest} a une valeur.",
    },
    "short_span": {
        "en": "The {window_name} trend needs values at least {need} years apart within the last {length} years; "
        "the values available there span {span} years ({first}–{last}).",
        "it": "L'andamento di {window_name} richiede valori distanti almeno {need} anni negli ultimi {length} anni; "
        "quelli disponibili coprono {span} anni ({first}–{last}).",
        "fr": "La tendance à {window_name} exige des valeurs espacées d’au moins {need} ans sur les {length} dernières "
        "années. Celles qui sont disponibles couvrent {span} ans ({first}–{last}).",
    },
    "window_one": {
        "en": "The {window_name} trend needs values at least {need} years apart within the last {length} years "
        "({first}–{last}); only {last} has a value there.",
        "it": "L'andamento di {window_name} richiede valori distanti almeno {need} anni negli ultimi {length} anni "
        "({first}–{last}); lì c'è solo il valore del {last}.",
        "fr": "La tendance à {window_name} exige des valeurs espacées d’au moins {need} ans sur les {length} dernières "
        "années ({first}–{last}). Seule l’année {last} y a une valeur.",
    },
    "sign": {
        "en": "A growth rate needs values of the same sign and not zero: base {base} ({base_year}), "
        "latest {latest} ({latest_year}). The linear method can assess this series.",
        "it": "Un tasso di crescita richiede valori dello stesso segno e diversi da zero: base {base} ({base_year}), "
        "ultimo {latest} ({latest_year}). Il metodo lineare può valutare questa serie.",
        "fr": "Un taux de croissance exige des valeurs de même signe et non nulles (base {base} en {base_year}, "
        "dernière valeur {latest} en {latest_year}). La méthode linéaire peut évaluer cette série.",
    },
    "target_sign": {
        "en": "The target {target} and the base value {base} have opposite signs, so no growth rate leads "
        "from one to the other.",
        "it": "L'obiettivo {target} e il valore base {base} hanno segno opposto: nessun tasso di crescita "
        "porta dall'uno all'altro.",
        "fr": "L’objectif {target} et la valeur de base {base} sont de signes opposés. Aucun taux de croissance ne "
        "mène de l’un à l’autre.",
    },
    "target_year": {
        "en": "The target year {target_year} is not after the base year {base_year}, so no pace is required.",
        "it": "L'anno obiettivo {target_year} non è successivo all'anno base {base_year}: non c'è un ritmo richiesto.",
        "fr": "L’année cible {target_year} n’est pas postérieure à l’année de base {base_year}. Aucun rythme n’est "
        "donc requis.",
    },
    "no_target": {
        "en": "This method compares progress with a numeric target, and the indicator has none.",
        "it": "Questo metodo confronta i progressi con un obiettivo numerico, e l'indicatore non ne ha.",
        "fr": "Cette méthode compare les progrès à un objectif chiffré, et l’indicateur n’en a pas.",
    },
    "zero_base": {
        "en": "Without a target the change is measured against the base value, which is 0 in {base_year}.",
        "it": "Senza obiettivo la variazione si misura rispetto al valore base, che nel {base_year} è 0.",
        "fr": "Sans objectif, la variation se mesure par rapport à la valeur de base, qui est de 0 en {base_year}.",
    },
    "undefined": {
        "en": "The method's ratio is undefined for these values (base {base}, latest {latest}, target {target}).",
        "it": "Il rapporto del metodo non è definito per questi valori (base {base}, ultimo {latest}, "
        "obiettivo {target}).",
        "fr": "Le rapport de la méthode n’est pas défini pour ces valeurs (base {base}, dernière valeur {latest}, "
        "objectif {target}).",
    },
    "no_headline": {
        "en": "There is no total series, only {count} disaggregated series; each is assessed on its own.",
        "it": "Non c'è una serie complessiva, solo {count} serie disaggregate; ognuna è valutata a sé.",
        "fr": "Il n’y a pas de série globale, seulement {count} séries désagrégées. Chacune est évaluée séparément.",
    },
    "manual_none": {
        "en": "The platform this indicator comes from publishes no automatic verdict for it (automatic progress "
        "calculation is off), so none is shown here.",
        "it": "La piattaforma da cui proviene l'indicatore non pubblica un giudizio automatico (il calcolo "
        "automatico del progresso è disattivato), quindi qui non se ne mostra alcuno.",
        "fr": "La plateforme dont provient l’indicateur ne publie pas d’appréciation automatique (le calcul "
        "automatique des progrès est désactivé). Aucune n’est donc affichée ici.",
    },
    "manual_not_available": {
        "en": "The platform this indicator comes from publishes no automatic verdict for it; its status, set by "
        "hand, is “not available” ({status}).",
        "it": "La piattaforma da cui proviene l'indicatore non pubblica un giudizio automatico; il suo stato, "
        "fissato a mano, è “non disponibile” ({status}).",
        "fr": "La plateforme dont provient l’indicateur ne publie pas d’appréciation automatique. Son statut, fixé "
        "à la main, est «\u00a0non disponible\u00a0» ({status}).",
    },
    "note_manual": {
        "en": "This status was set by hand on the platform the indicator comes from ({status}); it is not computed "
        "from the values.",
        "it": "Questo stato è stato fissato a mano sulla piattaforma da cui proviene l'indicatore ({status}); non è "
        "calcolato dai valori.",
        "fr": "Ce statut a été fixé à la main sur la plateforme dont provient l’indicateur ({status}). Il n’est "
        "pas calculé à partir des valeurs.",
    },
    "several_none": {
        "en": "None of the indicator's {count} progress series could be assessed (see each series below).",
        "it": "Nessuna delle {count} serie di progresso dell'indicatore è valutabile (vedi ogni serie sotto).",
        "fr": "Aucune des {count} séries de progrès de l’indicateur n’a pu être évaluée (voir chaque série "
        "ci-dessous).",
    },
    "note_several": {
        "en": "The verdict is the mean of the scores of the indicator's progress series ({assessed} of {count} "
        "assessed), as Open SDG computes it; each series' verdict is in the table “Verdict by series”.",
        "it": "Il giudizio è la media dei punteggi delle serie di progresso dell'indicatore ({assessed} di {count} "
        "valutate), come la calcola Open SDG; il giudizio di ogni serie è nella tabella “Giudizio per serie”.",
        "fr": "L’appréciation est la moyenne des scores des séries de progrès de l’indicateur ({assessed} sur "
        "{count} évaluées), comme la calcule Open SDG. L’appréciation de chaque série figure dans le tableau "
        "«\u00a0Appréciation par série\u00a0».",
    },
    "projection_several": {
        "en": "No projection for the indicator as a whole: its verdict averages several series, each projected on "
        "its own.",
        "it": "Nessuna proiezione per l'indicatore nel suo insieme: il giudizio è la media di più serie, ciascuna "
        "proiettata a sé.",
        "fr": "Pas de projection pour l’indicateur dans son ensemble. Son appréciation fait la moyenne de "
        "plusieurs séries, chacune projetée séparément.",
    },
    "projection_no_target": {
        "en": "No projection: the indicator has no quantified target to project towards.",
        "it": "Nessuna proiezione: l'indicatore non ha un obiettivo quantificato verso cui proiettare.",
        "fr": "Pas de projection. L’indicateur n’a pas d’objectif chiffré vers lequel projeter.",
    },
    "projection_stale": {
        "en": "No projection: the latest value ({period}) is older than the indicator's update frequency allows, "
        "so a projection would guess years that have already happened.",
        "it": "Nessuna proiezione: l'ultimo valore ({period}) è più vecchio di quanto consenta la frequenza di "
        "aggiornamento dell'indicatore, e una proiezione indovinerebbe anni già trascorsi.",
        "fr": "Pas de projection. La dernière valeur ({period}) est plus ancienne que ne le permet la fréquence de "
        "mise à jour de l’indicateur, et une projection devinerait des années déjà écoulées.",
    },
    "projection_past": {
        "en": "No projection: the target year {target_year} is not after the latest value ({period}).",
        "it": "Nessuna proiezione: l'anno obiettivo {target_year} non è successivo all'ultimo valore ({period}).",
        "fr": "Pas de projection. L’année cible {target_year} n’est pas postérieure à la dernière valeur "
        "({period}).",
    },
    "projection_short": {
        "en": "No projection: a trend with its uncertainty needs at least {need} values spanning at least {span} "
        "years within the last {years} years of data; there are {count} ({periods}).",
        "it": "Nessuna proiezione: un andamento con la sua incertezza richiede almeno {need} valori che coprano "
        "almeno {span} anni negli ultimi {years} anni di dati; ce ne sono {count} ({periods}).",
        "fr": "Pas de projection. Une tendance avec son incertitude exige au moins {need} valeurs couvrant au "
        "moins {span} ans sur les {years} dernières années de données. Il y en a {count} ({periods}).",
    },
    "note_slower": {
        "en": "The verdict rates the pace from {base} to {latest}; the trend of the values from {first} to {last} "
        "is slower and reaches the target {when}, after {target_year}.",
        "it": "Il giudizio valuta il ritmo dal {base} al {latest}; l'andamento dei valori dal {first} al {last} è "
        "più lento e raggiunge l'obiettivo {when}, dopo il {target_year}.",
        "fr": "L’appréciation évalue le rythme de {base} à {latest}. La tendance des valeurs de {first} à {last} "
        "est plus lente et atteint l’objectif {when}, après {target_year}.",
    },
    "note_tolerance": {
        "en": "The method counts a pace of at least {share} of the pace needed as on track, so an indicator can be "
        "on track and still arrive somewhat late.",
        "it": "Il metodo considera in linea un ritmo pari almeno al {share} di quello necessario: un indicatore "
        "può quindi essere in linea e arrivare comunque con un certo ritardo.",
        "fr": "La méthode considère comme en bonne voie un rythme d’au moins {share} du rythme nécessaire. Un "
        "indicateur peut donc être en bonne voie et arriver tout de même avec un certain retard.",
    },
    "note_faster": {
        "en": "The verdict rates the pace from {base} to {latest}; the values from {first} to {last} move faster, "
        "and at their trend the target is reached in {year}.",
        "it": "Il giudizio valuta il ritmo dal {base} al {latest}; i valori dal {first} al {last} si muovono più "
        "rapidamente e al loro andamento l'obiettivo è raggiunto nel {year}.",
        "fr": "L’appréciation évalue le rythme de {base} à {latest}. Les valeurs de {first} à {last} progressent "
        "plus vite et, à leur rythme, l’objectif est atteint en {year}.",
    },
    "note_achieved_stale": {
        "en": "The latest value ({period}) met the target; no newer value shows whether it still does.",
        "it": "L'ultimo valore ({period}) raggiungeva l'obiettivo; nessun valore più recente mostra se lo "
        "raggiunge ancora.",
        "fr": "La dernière valeur ({period}) atteignait l’objectif. Aucune valeur plus récente ne montre si c’est "
        "toujours le cas.",
    },
}

#: How a note says when the trend reaches the target.
WHEN: dict[str, dict[str, str]] = {
    "in": {"en": "in {year}", "it": "nel {year}", "fr": "en {year}"},
    "not_before": {"en": "not before {year}", "it": "non prima del {year}", "fr": "pas avant {year}"},
    "never": {"en": "not at all at this trend", "it": "mai a questo andamento", "fr": "jamais à ce rythme"},
}


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def reason(key: str, **values: object) -> dict[str, str]:
    """The reason ``key`` in each language, with ``values`` filled in; a value given as a ``{lang: text}``
    dict (a window's name, a "when") is filled in with its own language's text."""
    texts = REASONS[key]
    shown = {k: _fmt(v) for k, v in values.items() if not isinstance(v, dict)}
    words = {k: v for k, v in values.items() if isinstance(v, dict)}
    return {
        lang: text.format(**shown, **{k: v[lang] for k, v in words.items()}) for lang, text in texts.items()
    }


def missing_wordings(lang: str) -> list[str]:
    """The assessment's wordings that have no ``lang`` text (an empty list: the language is complete)."""
    from tracker.assess import TOLERANCE, escap, eurostat, linear, opensdg, unsd

    tables: dict[str, dict[str, dict[str, str]]] = {
        "text.REASONS": REASONS,
        "text.WHEN": WHEN,
        "eurostat.WINDOW_NAMES": eurostat.WINDOW_NAMES,
        "eurostat.TARGET_LABELS": {str(k): v for k, v in eurostat.TARGET_LABELS.items()},
        "eurostat.TREND_LABELS": {str(k): v for k, v in eurostat.TREND_LABELS.items()},
        "eurostat.NOT_ASSESSED": {"": eurostat.NOT_ASSESSED},
        "linear.TARGET_LABELS": {str(k): v for k, v in linear.TARGET_LABELS.items()},
        "linear.TREND_LABELS": {str(k): v for k, v in linear.TREND_LABELS.items()},
        "linear.NOT_ASSESSED": {"": linear.NOT_ASSESSED},
        "unsd.LABELS": unsd.LABELS,
        "opensdg.LABELS": opensdg.LABELS,
        "opensdg.TREND_LABELS": opensdg.TREND_LABELS,
        "opensdg.MANUAL_SUFFIX": {"": opensdg.MANUAL_SUFFIX},
        "escap.LABELS": escap.LABELS,
        "TOLERANCE": {str(k): v for k, v in TOLERANCE.items()},
    }
    return [
        f"{table}[{key!r}]" if key else table
        for table, rows in tables.items()
        for key, texts in rows.items()
        if lang not in texts
    ]
