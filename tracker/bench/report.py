"""The benchmark's result as tables for people (rich)."""

from __future__ import annotations

from typing import Any

STAGE_ORDER = [
    "startup_exit",
    "imports",
    "config",
    "definitions",
    "database",
    "read_validate",
    "store",
    "fingerprint",
    "load_back",
    "assess",
    "site",
    "save_assessments",
    "updates",
    "pipeline_other",
    "cli_other",
]


def _mb(n: float) -> str:
    return f"{n / 2**20:,.1f} MB"


def render(result: dict[str, Any]) -> None:
    """Tables for people (rich)."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    syn, naive, cat, p = result["synthetic"], result["naive"], result["catalogue"], result["parameters"]
    m = result["machine"]
    console.print(
        f"[bold]tracker bench[/] — {result['note']}\n{cat['indicators']:,} indicators x {cat['years']} "
        f"years x {cat['series']} series = {cat['observations']:,} observations ({p['series_layout']}); "
        f"medians of {p['repeat']} runs; {m['nproc']} x {m['cpu']}, {m['memory_gib']} GiB, Python {m['python']}"
    )
    table = Table(title="Targets")
    for col in ("measure", "median", "CPU", "target", "status"):
        table.add_column(col, justify="right" if col != "measure" else "left")
    for t in result["targets"]:
        unit = "×" if t["unit"] == "x" else f" {t['unit']}"
        value = (
            "—"
            if t["value"] is None
            else (
                f"{t['value']:,.{3 if t['unit'] == 'x' else 2}f}{unit}"
                if t["unit"] != "pages"
                else str(t["value"])
            )
        )
        limit = "—" if t["limit"] is None else f"≤ {t['limit']:g}{unit}"
        status = {True: "[green]met[/]", False: "[red]over[/]", None: "n/a" if not t["applies"] else "—"}[
            t["met"]
        ]
        cpu = t.get("cpu")
        shown_cpu = "" if cpu is None else (f"{cpu:.3f}×" if t["unit"] == "x" else f"{cpu:,.2f} s")
        table.add_row(t["what"], value, shown_cpu, limit, status)
    console.print(table)
    stages = Table(title="Synthetic catalogue: seconds per stage (median)")
    stages.add_column("stage")
    runs = [("cold", syn["cold"]), ("nothing changed", syn["warm"])]
    if "incremental" in syn:
        runs.append(("one file changed", syn["incremental"]))
    if "milan" in result:
        runs += [("Milan cold", result["milan"]["cold"]), ("Milan warm", result["milan"]["warm"])]
    for name, _ in runs:
        stages.add_column(name, justify="right")
    for stage in STAGE_ORDER:
        stages.add_row(stage, *(f"{r['stages'].get(stage, 0.0):.3f}" for _, r in runs))
    stages.add_row("[bold]total (wall)[/]", *(f"[bold]{r['wall_s']:.3f}[/]" for _, r in runs))
    stages.add_row("CPU (user+sys)", *(f"{r['cpu_s']:.3f}" for _, r in runs))
    stages.add_row("peak memory", *(f"{r['peak_rss_mb']:,.0f} MB" for _, r in runs))
    console.print(stages)
    compare_t = Table(
        title="tracker vs naive (pandas.read_csv + plotly write_html per indicator, plotly.js embedded)"
    )
    for col in ("", "tracker", "naive", "tracker / naive"):
        compare_t.add_column(col, justify="right" if col else "left")
    r = result["ratios"]
    compare_t.add_row(
        "time, cold (s)", f"{syn['cold']['wall_s']:.2f}", f"{naive['wall_s']:.2f}", f"{r['time']:.2f}"
    )
    compare_t.add_row(
        "CPU, cold (s)",
        f"{syn['cold']['cpu_s']:.2f}",
        f"{naive['cpu_s']:.2f}",
        f"{syn['cold']['cpu_s'] / naive['cpu_s']:.2f}",
    )
    compare_t.add_row("site size", _mb(syn["site"]["bytes"]), _mb(naive["bytes"]), f"{r['bytes']:.3f}")
    compare_t.add_row("files", f"{syn['site']['files']:,}", f"{naive['files']:,}", "")
    compare_t.add_row(
        "peak memory",
        f"{syn['cold']['peak_rss_mb']:,.0f} MB",
        f"{naive['peak_rss_mb']:,.0f} MB",
        f"{r['memory']:.2f}",
    )
    console.print(compare_t)
    if "merge" in result:
        mg = result["merge"]
        merge_t = Table(title=f"Store: bulk merge of {mg['rows']:,} values into {mg['database']} (median)")
        for col in ("", "wall (s)", "CPU (s)"):
            merge_t.add_column(col, justify="right" if col else "left")
        merge_t.add_row("new values", f"{mg['load_wall_s']:.2f}", f"{mg['load_cpu_s']:.2f}")
        merge_t.add_row(
            f"{mg['revisions']:,} revised", f"{mg['revise_wall_s']:.2f}", f"{mg['revise_cpu_s']:.2f}"
        )
        merge_t.add_row(
            "whole process (with generating the values)",
            f"{mg['process_wall_s']:.2f}",
            f"{mg['process_cpu_s']:.2f}",
        )
        console.print(merge_t)
    if "opensdg" in result:
        sdg = result["opensdg"]
        sdg_t = Table(title=f"Real data: Open SDG import + cold run ({sdg['source']}; median)")
        for col in (
            "languages",
            "indicators",
            "observations",
            "import wall/CPU (s)",
            "run wall/CPU (s)",
            "CPU µs per observation",
            "site",
            "peak memory",
        ):
            sdg_t.add_column(col, justify="right" if col != "languages" else "left")
        for name in ("one", "two"):
            s = sdg[name]
            sdg_t.add_row(
                "+".join(s["languages"]),
                f"{s['indicators']:,}",
                f"{s['observations']:,}",
                f"{s['import_wall_s']:.2f} / {s['import_cpu_s']:.2f}",
                f"{s['run_wall_s']:.2f} / {s['run_cpu_s']:.2f}",
                f"{s['cpu_us_per_observation']:.0f}",
                _mb(s["site"]["bytes"]),
                f"{s['peak_rss_mb']:,.0f} MB",
            )
        console.print(sdg_t)
    w = syn["written"]
    console.print(
        f"site: {syn['site']['pages']:,} pages, {syn['site']['files']:,} files, {_mb(syn['site']['bytes'])}; "
        f"nothing changed: {w['warm']['files_written']} files written; one file changed: "
        f"{w.get('incremental', {}).get('pages_written', '—')} pages / "
        f"{w.get('incremental', {}).get('files_written', '—')} files written, "
        f"{w.get('incremental', {}).get('files_changed', '—')} changed in content. "
        f"Benchmark took {result['bench_s']:.0f} s."
    )
    if syn["warm"]["skipped_builds"] < p["repeat"]:
        console.print(
            f"[yellow]note:[/] the site was rebuilt in {p['repeat'] - syn['warm']['skipped_builds']} of "
            f"{p['repeat']} runs with nothing changed"
        )
    if result.get("code_changed_during_run"):
        console.print("[yellow]note:[/] the tracker's code changed during the benchmark: figures are mixed")
