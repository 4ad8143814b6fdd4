"""``python -m tracker.bench``: the child-process entry points used by the benchmark itself."""

from __future__ import annotations

import sys
from pathlib import Path

from tracker.bench.probe import _naive, _probe


def main(argv: list[str]) -> int:
    """Child-process entry points: ``probe OUT [--profile P] -- ARGS``, ``naive PROJECT OUT_DIR`` and
    ``merge OUT ROWS``."""
    if argv[:1] == ["probe"]:
        rest = argv[1:]
        split = rest.index("--")
        head, tail = rest[:split], rest[split + 1 :]
        profile = Path(head[head.index("--profile") + 1]) if "--profile" in head else None
        return _probe(Path(head[0]), profile, tail)
    if argv[:1] == ["naive"]:
        return _naive(Path(argv[1]), Path(argv[2]))
    if argv[:1] == ["merge"]:
        from tracker.bench.merge import child

        return child(Path(argv[1]), int(argv[2]))
    print(
        "usage: python -m tracker.bench probe OUT [--profile P] -- ARGS | naive PROJECT OUT_DIR | merge OUT ROWS",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
