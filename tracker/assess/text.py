"""Plain-words reasons, in Italian and English, for an assessment that could not be made.

One table for all methods, so the same gap in the data is explained the same way on every page. Values are
formatted with ``:g``-style numbers so a reason never shows 15 decimals.
"""

from __future__ import annotations

REASONS: dict[str, dict[str, str]] = {
    "no_data": {
        "en": "No values yet.",
        "it": "Ancora nessun valore.",
    },
    "one_value": {
        "en": "Needs at least two values at least one year apart; there is only one ({period}).",
        "it": "Servono almeno due valori a distanza di almeno un anno; ce n'è uno solo ({period}).",
    },
    "no_base": {
        "en": "No value in or after the base year {year}; the latest value is from {latest}.",
        "it": "Nessun valore dall'anno base {year} in poi; l'ultimo valore è del {latest}.",
    },
    "base_is_latest": {
        "en": "Needs at least two values at least one year apart from the base year {year} on; "
        "only {latest} has a value.",
        "it": "Servono almeno due valori a distanza di almeno un anno dall'anno base {year} in poi; "
        "c'è solo il valore del {latest}.",
    },
    "short_span": {
        "en": "The {window_en} trend needs values at least {need} years apart within the last {length} years; "
        "the values available there span {span} years ({first}–{last}).",
        "it": "L'andamento di {window_it} richiede valori distanti almeno {need} anni negli ultimi {length} anni; "
        "quelli disponibili coprono {span} anni ({first}–{last}).",
    },
    "window_one": {
        "en": "The {window_en} trend needs values at least {need} years apart within the last {length} years "
        "({first}–{last}); only {last} has a value there.",
        "it": "L'andamento di {window_it} richiede valori distanti almeno {need} anni negli ultimi {length} anni "
        "({first}–{last}); lì c'è solo il valore del {last}.",
    },
    "sign": {
        "en": "A growth rate needs values of the same sign and not zero: base {base} ({base_year}), "
        "latest {latest} ({latest_year}). The linear method can assess this series.",
        "it": "Un tasso di crescita richiede valori dello stesso segno e diversi da zero: base {base} ({base_year}), "
        "ultimo {latest} ({latest_year}). Il metodo lineare può valutare questa serie.",
    },
    "target_sign": {
        "en": "The target {target} and the base value {base} have opposite signs, so no growth rate leads "
        "from one to the other.",
        "it": "L'obiettivo {target} e il valore base {base} hanno segno opposto: nessun tasso di crescita "
        "porta dall'uno all'altro.",
    },
    "target_year": {
        "en": "The target year {target_year} is not after the base year {base_year}, so no pace is required.",
        "it": "L'anno obiettivo {target_year} non è successivo all'anno base {base_year}: non c'è un ritmo richiesto.",
    },
    "no_target": {
        "en": "This method compares progress with a numeric target, and the indicator has none.",
        "it": "Questo metodo confronta i progressi con un obiettivo numerico, e l'indicatore non ne ha.",
    },
    "zero_base": {
        "en": "Without a target the change is measured against the base value, which is 0 in {base_year}.",
        "it": "Senza obiettivo la variazione si misura rispetto al valore base, che nel {base_year} è 0.",
    },
    "undefined": {
        "en": "The method's ratio is undefined for these values (base {base}, latest {latest}, target {target}).",
        "it": "Il rapporto del metodo non è definito per questi valori (base {base}, ultimo {latest}, "
        "obiettivo {target}).",
    },
    "no_headline": {
        "en": "There is no total series, only {count} disaggregated series; each is assessed on its own.",
        "it": "Non c'è una serie complessiva, solo {count} serie disaggregate; ognuna è valutata a sé.",
    },
    "manual_none": {
        "en": "The platform this indicator comes from publishes no automatic verdict for it (automatic progress "
        "calculation is off), so none is shown here.",
        "it": "La piattaforma da cui proviene l'indicatore non pubblica un giudizio automatico (il calcolo "
        "automatico del progresso è disattivato), quindi qui non se ne mostra alcuno.",
    },
    "manual_not_available": {
        "en": "The platform this indicator comes from publishes no automatic verdict for it; its status, set by "
        "hand, is “not available” ({status}).",
        "it": "La piattaforma da cui proviene l'indicatore non pubblica un giudizio automatico; il suo stato, "
        "fissato a mano, è “non disponibile” ({status}).",
    },
    "note_manual": {
        "en": "This status was set by hand on the platform the indicator comes from ({status}); it is not computed "
        "from the values.",
        "it": "Questo stato è stato fissato a mano sulla piattaforma da cui proviene l'indicatore ({status}); non è "
        "calcolato dai valori.",
    },
    "several_none": {
        "en": "None of the indicator's {count} progress series could be assessed (see each series below).",
        "it": "Nessuna delle {count} serie di progresso dell'indicatore è valutabile (vedi ogni serie sotto).",
    },
    "note_several": {
        "en": "The verdict is the mean of the scores of the indicator's progress series ({assessed} of {count} "
        "assessed), as Open SDG computes it; each series' verdict is in the table “Verdict by series”.",
        "it": "Il giudizio è la media dei punteggi delle serie di progresso dell'indicatore ({assessed} di {count} "
        "valutate), come la calcola Open SDG; il giudizio di ogni serie è nella tabella “Giudizio per serie”.",
    },
    "projection_several": {
        "en": "No projection for the indicator as a whole: its verdict averages several series, each projected on "
        "its own.",
        "it": "Nessuna proiezione per l'indicatore nel suo insieme: il giudizio è la media di più serie, ciascuna "
        "proiettata a sé.",
    },
    "projection_no_target": {
        "en": "No projection: the indicator has no quantified target to project towards.",
        "it": "Nessuna proiezione: l'indicatore non ha un obiettivo quantificato verso cui proiettare.",
    },
    "projection_stale": {
        "en": "No projection: the latest value ({period}) is older than the indicator's update frequency allows, "
        "so a projection would guess years that have already happened.",
        "it": "Nessuna proiezione: l'ultimo valore ({period}) è più vecchio di quanto consenta la frequenza di "
        "aggiornamento dell'indicatore, e una proiezione indovinerebbe anni già trascorsi.",
    },
    "projection_past": {
        "en": "No projection: the target year {target_year} is not after the latest value ({period}).",
        "it": "Nessuna proiezione: l'anno obiettivo {target_year} non è successivo all'ultimo valore ({period}).",
    },
    "projection_short": {
        "en": "No projection: a trend with its uncertainty needs at least {need} values spanning at least {span} "
        "years within the last {years} years of data; there are {count} ({periods}).",
        "it": "Nessuna proiezione: un andamento con la sua incertezza richiede almeno {need} valori che coprano "
        "almeno {span} anni negli ultimi {years} anni di dati; ce ne sono {count} ({periods}).",
    },
    "note_slower": {
        "en": "The verdict rates the pace from {base} to {latest}; the trend of the values from {first} to {last} "
        "is slower and reaches the target {when}, after {target_year}.",
        "it": "Il giudizio valuta il ritmo dal {base} al {latest}; l'andamento dei valori dal {first} al {last} è "
        "più lento e raggiunge l'obiettivo {when_it}, dopo il {target_year}.",
    },
    "note_tolerance": {
        "en": "The method counts a pace of at least {share} of the pace needed as on track, so an indicator can be "
        "on track and still arrive somewhat late.",
        "it": "Il metodo considera in linea un ritmo pari almeno al {share} di quello necessario: un indicatore "
        "può quindi essere in linea e arrivare comunque con un certo ritardo.",
    },
    "note_faster": {
        "en": "The verdict rates the pace from {base} to {latest}; the values from {first} to {last} move faster, "
        "and at their trend the target is reached in {year}.",
        "it": "Il giudizio valuta il ritmo dal {base} al {latest}; i valori dal {first} al {last} si muovono più "
        "rapidamente e al loro andamento l'obiettivo è raggiunto nel {year}.",
    },
    "note_achieved_stale": {
        "en": "The latest value ({period}) met the target; no newer value shows whether it still does.",
        "it": "L'ultimo valore ({period}) raggiungeva l'obiettivo; nessun valore più recente mostra se lo "
        "raggiunge ancora.",
    },
}

#: How a note says when the trend reaches the target: (English, Italian).
WHEN: dict[str, tuple[str, str]] = {
    "in": ("in {year}", "nel {year}"),
    "not_before": ("not before {year}", "non prima del {year}"),
    "never": ("not at all at this trend", "mai a questo andamento"),
}


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def reason(key: str, **values: object) -> dict[str, str]:
    """The reason ``key`` in both languages, with ``values`` filled in."""
    texts = REASONS[key]
    shown = {k: _fmt(v) for k, v in values.items()}
    return {lang: text.format(**shown) for lang, text in texts.items()}
