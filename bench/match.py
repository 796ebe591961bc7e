"""Benchmark of name matching: accuracy on the labelled eval, latency, index build and reload.

Run:  .venv/bin/python bench/match.py [--sizes 1000,10000,100000,1000000] [--no-baselines]

Accuracy: every query of ../shared/data/names/eval.jsonl is searched against watchlist.jsonl +
licensed_agencies.jsonl restricted to the query's kind. A query "alerts" when its best
candidate scores at or above the threshold. Per query: an expected query whose best alerting
candidate is expected is a true positive; an alert on a wrong entity counts as a false positive
(and a false negative); a negative query (expected = []) that alerts is a false positive.
recall@1 = share of expected queries whose rank-1 candidate (any score) is expected.
"recall at <=5% negatives alerting" uses the lowest threshold at which at most 5% of negative
queries alert. Figures are printed for all rows, for a fixed random 70% "tune" split and the
30% "holdout" split (seed 4), so tuning on the eval can be seen for what it is.

Baselines: rapidfuzz token_sort_ratio and WRatio against every name of the same kind, over the
same normalised names (NameKey.text), at their own best-F1 threshold.

Scale: lists of 1k..1M names made by perturbing the real names (token recombination and
character edits, seeded); index build time, cache save/reload time, query latency.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "names"
sys.path.insert(0, str(ROOT / "src"))

from rapidfuzz import fuzz, process  # noqa: E402

from screening.index_cache import load_index  # noqa: E402
from screening.matching import DEFAULT_POSSIBLE, DEFAULT_STRONG, MatchIndex  # noqa: E402
from screening.model import (  # noqa: E402
    EntityKind,
    ListInfo,
    ListRole,
    Watchlist,
    WatchlistEntry,
)
from screening.names import normalize_name  # noqa: E402
from screening.watchlist import load_watchlist  # noqa: E402


def load_lists() -> list[Watchlist]:
    return [
        load_watchlist(DATA / "watchlist.jsonl", max_age_days=None),
        load_watchlist(
            DATA / "licensed_agencies.jsonl", max_age_days=None, role=ListRole.ALLOWLIST
        ),
    ]


def load_eval() -> list[dict]:
    return [json.loads(line) for line in (DATA / "eval.jsonl").read_text().splitlines() if line]


# --- metrics -------------------------------------------------------------------------------------


def outcome(rows, ranked, threshold):
    """(tp, fp, fn, negatives alerting) at a threshold; ranked[i] = [(id, score), ...]."""
    tp = fp = fn = neg_alert = 0
    for row, cands in zip(rows, ranked, strict=True):
        expected = set(row["expected"])
        top = cands[0] if cands else None
        alert = top is not None and top[1] >= threshold
        if expected:
            if alert and top[0] in expected:
                tp += 1
            elif alert:
                fp += 1
                fn += 1
            else:
                fn += 1
        elif alert:
            fp += 1
            neg_alert += 1
    return tp, fp, fn, neg_alert


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def summary(rows, ranked, threshold):
    tp, fp, fn, neg_alert = outcome(rows, ranked, threshold)
    p, r, f = prf(tp, fp, fn)
    positives = [i for i, row in enumerate(rows) if row["expected"]]
    negatives = [i for i, row in enumerate(rows) if not row["expected"]]
    r1 = sum(1 for i in positives if ranked[i] and ranked[i][0][0] in rows[i]["expected"])
    r1 /= max(1, len(positives))
    # Lowest threshold with at most 5% of negatives alerting.
    neg_scores = sorted((ranked[i][0][1] if ranked[i] else 0.0) for i in negatives)
    allowed = int(0.05 * len(negatives))
    cut = neg_scores[-allowed - 1] + 1e-6 if len(neg_scores) > allowed else 0.0
    tp5, _fp5, fn5, _ = outcome(rows, ranked, cut)
    rec5 = tp5 / (tp5 + fn5) if tp5 + fn5 else 1.0
    return {
        "precision": p,
        "recall": r,
        "f1": f,
        "recall@1": r1,
        "neg_alert_rate": neg_alert / max(1, len(negatives)),
        "recall@<=5%neg": rec5,
        "cut5": cut,
    }


def best_threshold(rows, ranked):
    best = (-1.0, 0.0)
    for t in range(30, 101):
        f = prf(*outcome(rows, ranked, float(t))[:3])[2]
        if f > best[0]:
            best = (f, float(t))
    return best[1]


def fmt(s):
    return (
        f"P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}  R@1 {s['recall@1']:.3f}  "
        f"neg-alert {s['neg_alert_rate']:.3f}  R@<=5%neg {s['recall@<=5%neg']:.3f} (cut {s['cut5']:.1f})"
    )


def pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- runs ----------------------------------------------------------------------------------------


def run_ours(index, rows):
    ranked, times = [], []
    for row in rows:
        kind = EntityKind(row["kind"])
        start = time.perf_counter()
        found = index.search(row["query"], kind=kind, min_score=0.0, limit=5)
        times.append((time.perf_counter() - start) * 1000)
        ranked.append([(m.entry.id, m.score) for m in found])
    return ranked, times


def run_baseline(lists, rows, scorer_name):
    scorer = getattr(fuzz, scorer_name)
    by_kind = defaultdict(lambda: ([], []))
    for wl in lists:
        for entry in wl.entries:
            for text in (entry.name, *entry.aliases, *entry.weak_aliases):
                key = normalize_name(text, entry.kind)
                names, ids = by_kind[entry.kind]
                names.append(key.text)
                ids.append(entry.id)
    ranked, times = [], []
    for row in rows:
        kind = EntityKind(row["kind"])
        names, ids = by_kind[kind]
        start = time.perf_counter()
        query = normalize_name(row["query"], kind).text
        hits = process.extract(query, names, scorer=scorer, limit=20)
        times.append((time.perf_counter() - start) * 1000)
        seen, out = set(), []
        for _name, score, pos in hits:
            if ids[pos] not in seen:
                seen.add(ids[pos])
                out.append((ids[pos], float(score)))
        ranked.append(out)
    return ranked, times


def accuracy(args, lists, rows):
    rng = random.Random(4)
    holdout = set(rng.sample(range(len(rows)), k=int(0.3 * len(rows))))
    splits = {
        "all": list(range(len(rows))),
        "tune(70%)": [i for i in range(len(rows)) if i not in holdout],
        "holdout(30%)": sorted(holdout),
    }
    start = time.perf_counter()
    index = MatchIndex(lists)
    print(f"index of {index.name_count} names built in {time.perf_counter() - start:.2f} s")
    ranked, times = run_ours(index, rows)
    threshold = args.threshold if args.threshold is not None else DEFAULT_POSSIBLE
    print(f"\n== screening.matching (possible >= {threshold:g}, strong >= {DEFAULT_STRONG:g})")
    for split, idx in splits.items():
        s = summary([rows[i] for i in idx], [ranked[i] for i in idx], threshold)
        print(f"  {split:13s} n={len(idx):3d}  {fmt(s)}")
    print(
        f"  latency ms: median {statistics.median(times):.3f}  p95 {pct(times, 0.95):.3f}  max {max(times):.1f}"
    )
    sweep = []
    for t in (65, 70, 75, 80, 85, 90):
        cells = []
        for split in ("tune(70%)", "holdout(30%)"):
            idx = splits[split]
            s = summary([rows[i] for i in idx], [ranked[i] for i in idx], float(t))
            cells.append(f"{s['f1']:.3f}/{s['neg_alert_rate']:.2f}")
        sweep.append(f"{t}: {' '.join(cells)}")
    print("  F1/neg-alert by threshold (tune holdout): " + "  ".join(sweep))
    per_variant = defaultdict(Counter)
    failures = []
    for row, cands in zip(rows, ranked, strict=True):
        top = cands[0] if cands else None
        alert = top is not None and top[1] >= threshold
        ok = (alert and top[0] in row["expected"]) if row["expected"] else not alert
        per_variant[row["variant"]]["ok" if ok else "fail"] += 1
        if not ok:
            failures.append((row, cands[:2]))
    print("  per variant (pass/total):")
    items = sorted(per_variant.items())
    for k in range(0, len(items), 3):
        print(
            "    "
            + "   ".join(
                f"{v[:30]:30s} {c['ok']:2d}/{c['ok'] + c['fail']:2d}" for v, c in items[k : k + 3]
            )
        )
    if args.show_failures:
        for row, cands in failures:
            print(
                f"    FAIL {row['variant']:28s} {row['query'][:45]!r:48s} exp={row['expected'][:2]} got={cands}"
            )
    if not args.no_baselines:
        for scorer_name in ("token_sort_ratio", "WRatio"):
            b_ranked, b_times = run_baseline(lists, rows, scorer_name)
            t = best_threshold(rows, b_ranked)
            print(f"\n== rapidfuzz {scorer_name} (best-F1 threshold {t:g})")
            for split, idx in splits.items():
                s = summary([rows[i] for i in idx], [b_ranked[i] for i in idx], t)
                print(f"  {split:13s} n={len(idx):3d}  {fmt(s)}")
            print(
                f"  latency ms: median {statistics.median(b_times):.3f}  p95 {pct(b_times, 0.95):.3f}"
            )


# --- scale ---------------------------------------------------------------------------------------

_LETTERS = "ABCDEFGHIJKLMNOPRSTUVWYZ"


def _perturb(name, vocab, rng):
    tokens = name.replace(",", " ").split()
    if not tokens:
        return name
    roll = rng.random()
    if roll < 0.4 and len(tokens) > 1:
        tokens[rng.randrange(len(tokens))] = rng.choice(vocab)
    elif roll < 0.7:
        k = rng.randrange(len(tokens))
        t = tokens[k]
        if len(t) > 3:
            p = rng.randrange(len(t))
            t = t[:p] + rng.choice(_LETTERS) + t[p + 1 :]
        tokens[k] = t
    else:
        tokens.append(rng.choice(vocab))
    rng.shuffle(tokens) if rng.random() < 0.2 else None
    return " ".join(tokens)


def synthetic_list(base_entries, size, rng):
    names = [(e.kind, n) for e in base_entries for n in (e.name, *e.aliases)]
    vocab = [t for _k, n in names for t in n.replace(",", " ").split()]
    entries = []
    for i in range(size):
        kind, name = names[i % len(names)]
        text = name if i < len(names) else _perturb(name, vocab, rng)
        entries.append(WatchlistEntry(id=f"s{i}", kind=kind, name=text))
    info = ListInfo(
        name=f"synthetic-{size}",
        path="-",
        role=ListRole.WATCHLIST,
        entries=size,
        sha256=f"synthetic-{size}-seed4",
        age_days=0.0,
        stale=False,
    )
    return Watchlist(info=info, entries=tuple(entries))


def scale(args, lists, rows):
    base = [e for wl in lists for e in wl.entries]
    print(
        "\n== scale (perturbed real names; one core; wall and CPU seconds, the machine may be shared)"
    )
    print(
        f"  {'names':>9s} {'build s':>8s} {'(cpu)':>6s} {'reload s':>9s} {'(cpu)':>6s}"
        f" {'median ms':>10s} {'p95 ms':>8s} {'cpu med ms':>10s}"
    )
    for size in args.sizes:
        rng = random.Random(size)
        wl = synthetic_list(base, size, rng)
        with tempfile.TemporaryDirectory() as tmp:
            start, cpu = time.perf_counter(), time.process_time()
            index = load_index([wl], cache_dir=Path(tmp))  # miss: builds and writes
            build, build_cpu = time.perf_counter() - start, time.process_time() - cpu
            start, cpu = time.perf_counter(), time.process_time()
            index = load_index([wl], cache_dir=Path(tmp))  # hit: reads the arrays
            reload, reload_cpu = time.perf_counter() - start, time.process_time() - cpu
        times, cpu_times = [], []
        for row in rows:
            start, cpu = time.perf_counter(), time.process_time()
            index.search(row["query"], kind=EntityKind(row["kind"]), min_score=0.0, limit=5)
            times.append((time.perf_counter() - start) * 1000)
            cpu_times.append((time.process_time() - cpu) * 1000)
        print(
            f"  {size:9d} {build:8.2f} {build_cpu:6.2f} {reload:9.2f} {reload_cpu:6.2f}"
            f" {statistics.median(times):10.3f} {pct(times, 0.95):8.3f} {statistics.median(cpu_times):10.3f}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="1000,10000,100000,1000000",
        help="comma-separated list sizes for the scale run ('' to skip)",
    )
    parser.add_argument(
        "--threshold", type=float, default=None, help="override the possible threshold"
    )
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--no-accuracy", action="store_true")
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    lists = load_lists()
    rows = load_eval()
    if not args.no_accuracy:
        accuracy(args, lists, rows)
    if args.sizes:
        scale(args, lists, rows)


if __name__ == "__main__":
    main()
