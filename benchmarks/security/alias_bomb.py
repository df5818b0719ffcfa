"""The case studio's form refill on an alias bomb: the guarded reader (what ``validate`` and now the studio use)
refuses it at once; ``--old`` also times the plain ``yaml.safe_load`` the studio used before, on 7 levels.

    .venv/bin/python benchmarks/security/alias_bomb.py [--old]
"""

from __future__ import annotations

import resource
import sys
import time

import yaml

from replycoach.cases.safe_yaml import YamlProblem, parse_yaml


def bomb(levels: int) -> str:
    """A case whose title is ``levels`` nested aliases of ten each (10**levels values once expanded)."""
    lines = ["schema_version: 1", "id: bomb", "t0: &t0 [lol,lol,lol,lol,lol,lol,lol,lol,lol,lol]"]
    lines += [f"t{n}: &t{n} [{','.join([f'*t{n - 1}'] * 10)}]" for n in range(1, levels)]
    return "\n".join([*lines, f"title: *t{levels - 1}"]) + "\n"


def main() -> None:
    for levels in (7, 8):
        text = bomb(levels)
        started = time.perf_counter()
        try:
            parse_yaml(text)
            verdict = "read (!)"
        except YamlProblem as problem:
            verdict = f"refused ({problem.message[:48]}...)"
        print(
            f"{len(text.encode())} bytes, {levels} levels: {verdict} in {(time.perf_counter() - started) * 1000:.1f} ms"
        )
    if "--old" in sys.argv:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        title = str(yaml.safe_load(bomb(7))["title"])
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        print(
            f"the old refill, 7 levels: a {len(title):,}-character title in {time.perf_counter() - started:.1f} s, "
            f"+{grown:.0f} MiB"
        )


if __name__ == "__main__":
    main()
