"""Benchmark `screening read` against PassportEye on ../shared/data/mrz and derived variants.

Both readers run in the same process pool on the same files (each job reads one image with
ours, then with PassportEye 2.2.2 as a user installs it, Debian Tesseract `eng`), so their
timings share the machine's load. Variants are derived in memory and written once into a
private temporary folder (0700) that is removed at the end.

Per variant it prints: exact reads (every MRZ line equal to the truth or an accepted
alternative), lines read exactly, wrong reads that pass every check digit ("wrong but
passing"), wrong reads presented as clean (no failing check, no correction, no anomaly:
must be 0), median and p90 ms per image, and the ratio of our median to PassportEye's.

    .venv/bin/python bench/read.py                       # all variants, both readers
    .venv/bin/python bench/read.py --variants clean,rot180 --limit 10 --no-peer --jobs 2
    .venv/bin/python bench/read.py --variants rot15,rot-15,rot45 --no-peer   # any skew: rotN
"""

# ruff: noqa: PLC0415 - heavy imports stay inside the worker functions
from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "mrz"
VARIANTS = ("clean", "rot90", "rot180", "rot7", "rot30", "half", "jpeg30", "blur", "glare")
TODAY = dt.date(2026, 11, 28)


def derive(image, variant: str):
    import cv2
    import numpy as np

    if variant == "clean":
        return image
    if variant == "rot90":
        return cv2.rotate(image, cv2.ROTATE_90_CLOCKWISE)
    if variant == "rot180":
        return cv2.rotate(image, cv2.ROTATE_180)
    if re.fullmatch(r"rot-?\d+", variant) and variant not in ("rot90", "rot180"):
        # A skew of that many degrees (counter-clockwise; `rot-15` clockwise), canvas grown.
        height, width = image.shape[:2]
        degrees = float(variant[3:])
        matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
        cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
        new_w, new_h = int(height * sin + width * cos), int(height * cos + width * sin)
        matrix[0, 2] += new_w / 2 - width / 2
        matrix[1, 2] += new_h / 2 - height / 2
        return cv2.warpAffine(image, matrix, (new_w, new_h), borderValue=(255, 255, 255))
    if variant == "half":
        return cv2.resize(image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    if variant == "jpeg30":
        ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 30])
        assert ok
        return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if variant == "blur":
        return cv2.GaussianBlur(image, (0, 0), 1.5)
    if variant == "glare":
        # A laminate's reflection: a soft white spot (70% white at its centre) over part of
        # the lower page, where the zone usually lies; placed by a seed taken from the image.
        height, width = image.shape[:2]
        rng = np.random.default_rng(zlib.crc32(image.tobytes()))
        cx, cy = width * rng.uniform(0.3, 0.7), height * rng.uniform(0.7, 0.9)
        y, x = np.mgrid[0:height, 0:width].astype(np.float32)
        spot = 0.7 * np.exp(-(((x - cx) / (0.2 * width)) ** 2 + ((y - cy) / (0.15 * height)) ** 2))
        out = image * (1 - spot[..., None]) + 255 * spot[..., None]
        return out.clip(0, 255).astype(np.uint8)
    raise SystemExit(f"unknown variant {variant}")


def prepare_files(rows, variants, folder: Path):
    import cv2

    from screening.images import load_document

    jobs = []
    for row in rows:
        source = DATA / "images" / row["file"]
        # Through our loader so that EXIF orientation is applied once, the same for both.
        image = load_document(source).pages[0].image
        for variant in variants:
            out = folder / f"{variant}__{Path(row['file']).stem}"
            if variant == "jpeg30":
                # Compressed once: the source image written at quality 30 (`derive` would
                # compress it, and writing that as JPEG again would compress it twice).
                out = out.with_suffix(".jpg")
                cv2.imwrite(str(out), image, [cv2.IMWRITE_JPEG_QUALITY, 30])
            else:
                out = out.with_suffix(".png")
                cv2.imwrite(str(out), derive(image, variant))
            jobs.append((variant, row, str(out)))
    return jobs


def _ours(path: str):
    from screening.errors import ScreeningError
    from screening.ocr import read_document

    started = time.perf_counter()
    try:
        results = read_document(Path(path), today=TODAY, ocr_timeout_s=20)
    except ScreeningError as error:
        return {"lines": [], "ms": (time.perf_counter() - started) * 1000, "error": error.code}
    result = results[0]
    checks = [check for check in result.checks if check.code.startswith("check_digit")]
    return {
        "lines": list(result.text),
        "ms": (time.perf_counter() - started) * 1000,
        "digits_pass": bool(checks) and not any(check.failed for check in checks),
        "clean": not result.corrections and not any(check.failed for check in result.checks),
        "corrections": len(result.corrections),
        "calls": result.ocr_calls,
        "model": result.model,
    }


def _peer(path: str):
    from passporteye import read_mrz

    started = time.perf_counter()
    try:
        mrz = read_mrz(path)
    except Exception as error:  # PassportEye raises anything; count it as no read
        return {
            "lines": [],
            "ms": (time.perf_counter() - started) * 1000,
            "error": repr(error)[:80],
        }
    elapsed = (time.perf_counter() - started) * 1000
    if mrz is None:
        return {"lines": [], "ms": elapsed}
    lines = [line for line in mrz.aux.get("text", "").splitlines() if line.strip()]
    return {"lines": lines, "ms": elapsed, "digits_pass": bool(mrz.valid), "clean": bool(mrz.valid)}


def _use_models(names: str) -> None:
    """Force the reading models in this worker: `FIRST[,SECOND]`, each `eng`, `mrz`, or
    `NAME@FOLDER` for a trained one (NAME.traineddata in FOLDER); `none` as SECOND: no second."""
    import screening.ocr
    from screening.ocr.recognise import Model, find_model, find_tuned_model

    def model(spec: str) -> Model | None:
        name, _, folder = spec.partition("@")
        if folder:
            return Model(name, folder)
        known = {m.name: m for m in (find_model(), find_tuned_model()) if m is not None}
        return known.get(name) or (None if name == "none" else Model(name, None))

    first, _, second = names.partition(",")
    chosen = (model(first), model(second) if second else None)
    screening.ocr.reading_models = lambda: chosen


def _use_line_reader(spec: str) -> None:
    """Force our line reader in this worker: `none`, or the path of an exported `.npz`."""
    import screening.ocr
    from screening.ocr.cnn import LineReader

    chosen = None if spec == "none" else LineReader.load(Path(spec))
    screening.ocr.find_line_reader = lambda: chosen


def work(job):
    variant, row, path, peer, model, omp1, cnn = job
    # No OMP_THREAD_LIMIT here: PassportEye runs as a user runs it (our reader sets the
    # limit for its own Tesseract processes). `--omp1` gives PassportEye the same advantage.
    if omp1:
        os.environ["OMP_THREAD_LIMIT"] = "1"
    if model:
        _use_models(model)
    if cnn:
        _use_line_reader(cnn)
    out = {"variant": variant, "file": row["file"], "ours": _ours(path)}
    if peer:
        out["peer"] = _peer(path)
    return out


def shared_rows() -> list[dict]:
    """The ground truth of ../shared/data/mrz/images, one row per image."""
    text = (DATA / "images.jsonl").read_text()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def exact(lines, row) -> bool:
    return any(
        list(lines) == list(alt) for alt in [row["lines"], *row.get("accepted_alternatives", [])]
    )


def lines_exact(lines, row) -> int:
    best = 0
    for alt in [row["lines"], *row.get("accepted_alternatives", [])]:
        best = max(best, sum(1 for a, b in zip(lines, alt, strict=False) if a == b))
    return best


def summarise(records, rows_by_file, reader):
    total = len(records)
    got = [r[reader] for r in records]
    rows = [rows_by_file[r["file"]] for r in records]
    ok = sum(exact(g["lines"], row) for g, row in zip(got, rows, strict=True))
    line_total = sum(len(row["lines"]) for row in rows)
    line_ok = sum(lines_exact(g["lines"], row) for g, row in zip(got, rows, strict=True))
    wrong = [
        (g, row)
        for g, row in zip(got, rows, strict=True)
        if g["lines"] and not exact(g["lines"], row)
    ]
    wrong_passing = sum(1 for g, _ in wrong if g.get("digits_pass"))
    wrong_clean = sum(1 for g, _ in wrong if g.get("clean"))
    times = sorted(g["ms"] for g in got)
    p90 = times[min(len(times) - 1, round(0.9 * (len(times) - 1)))]
    return {
        "n": total,
        "exact": ok,
        "exact_pct": 100.0 * ok / max(total, 1),
        "lines": f"{line_ok}/{line_total}",
        "wrong_passing": wrong_passing,
        "wrong_clean": wrong_clean,
        "median_ms": statistics.median(times),
        "p90_ms": p90,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--limit", type=int, default=0, help="first N main images only")
    parser.add_argument("--no-peer", action="store_true", help="skip PassportEye")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "read.json")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument(
        "--model",
        default="",
        help="force the models: FIRST[,SECOND], each eng, mrz, mrzb or NAME@FOLDER "
        "(NAME.traineddata in FOLDER); default: the reader's own choice",
    )
    parser.add_argument(
        "--cnn",
        default="",
        help="force our line reader: 'none' or the path of a .npz from tools/train_mrz_cnn.py",
    )
    parser.add_argument(
        "--omp1", action="store_true", help="also limit PassportEye's Tesseract to one thread"
    )
    args = parser.parse_args(argv)
    # As the `screening` command does, before anything imports NumPy: one OpenBLAS thread per
    # worker. PassportEye runs in the same workers and gets the same setting.
    from screening.cli import limit_blas_threads

    limit_blas_threads(os.environ)
    variants = [v for v in args.variants.split(",") if v]
    main_rows = [row for row in shared_rows() if row["set"] == "main"]
    if args.limit:
        main_rows = main_rows[: args.limit]
    rows_by_file = {row["file"]: row for row in main_rows}
    folder = Path(tempfile.mkdtemp(prefix="screening-bench-"))  # mkdtemp creates it 0700
    try:
        jobs = [
            (v, row, path, not args.no_peer, args.model, args.omp1, args.cnn)
            for v, row, path in prepare_files(main_rows, variants, folder)
        ]
        started = time.time()
        with multiprocessing.Pool(args.jobs) as pool:
            records = pool.map(work, jobs, chunksize=1)
        wall = time.time() - started
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    from screening.ocr.recognise import reading_models

    model = args.model or ",".join(m.name for m in reading_models() if m is not None)
    print(
        f"# bench/read.py: {len(main_rows)} main images x {len(variants)} variants, jobs={args.jobs}, "
        f"omp1={args.omp1}, blas_threads={os.environ['OPENBLAS_NUM_THREADS']}, "
        f"models={model}, cnn={args.cnn or 'shipped'}, wall {wall:.0f} s"
    )
    header = "| variant | reader | exact | lines exact | wrong but passing | wrong shown clean | median ms | p90 ms | ratio |"
    print(header)
    print("|---|---|---|---|---|---|---|---|---|")
    summary = {}
    for variant in variants:
        subset = [r for r in records if r["variant"] == variant]
        ours = summarise(subset, rows_by_file, "ours")
        peer = summarise(subset, rows_by_file, "peer") if not args.no_peer else None
        ratio = f"{ours['median_ms'] / peer['median_ms']:.2f}" if peer else "-"
        summary[variant] = {"ours": ours, "peer": peer}
        for name, s in (("screening", ours), ("PassportEye", peer)):
            if s is None:
                continue
            print(
                f"| {variant} | {name} | {s['exact']}/{s['n']} ({s['exact_pct']:.0f}%) | {s['lines']} | "
                f"{s['wrong_passing']} | {s['wrong_clean']} | {s['median_ms']:.0f} | {s['p90_ms']:.0f} | "
                f"{ratio if name == 'screening' else ''} |"
            )
    if args.show_misses:
        for r in records:
            row = rows_by_file[r["file"]]
            if not exact(r["ours"]["lines"], row):
                print(
                    f"MISS {r['variant']:7} {r['file']}: {r['ours'].get('error') or r['ours']['lines']}",
                    file=sys.stderr,
                )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "records": records}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
