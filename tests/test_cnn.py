"""Our own OCR-B line reader: line cutting, the NumPy network, and reading real lines.

The convolution and pooling are checked against direct sums (hypothesis); the shipped network
reads the lines of the project's generated specimens and of real specimen images exactly.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from screening.images import load_document
from screening.ocr.cnn import ALPHABET, LAYERS, LineReader, _conv, _max_pool, find_line_reader
from screening.ocr.detect import find_candidates
from screening.ocr.lines import LINE_HEIGHT, Band, find_bands, line_image, row_profile

SAMPLES = ROOT / "samples"


def _manifest() -> dict[str, dict]:
    rows = [json.loads(line) for line in (SAMPLES / "manifest.jsonl").read_text().splitlines()]
    return {row["file"]: row for row in rows}


def _blocks(name: str, *, folder: Path = SAMPLES) -> list[np.ndarray]:
    """The detector's candidate blocks of a page, as they are cut (upright here)."""
    candidates = find_candidates(load_document(folder / name).pages[0].image)
    assert candidates
    return [candidate.crop for candidate in candidates]


# --- the network's arithmetic ----------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    channels=st.integers(1, 3),
    out_channels=st.integers(1, 3),
    rows=st.integers(1, 4),
    cols=st.integers(1, 4),
    pad=st.tuples(st.integers(0, 1), st.integers(0, 1)),
    seed=st.integers(0, 2**16),
)
def test_convolution_is_the_direct_sum(  # noqa: PLR0917 - hypothesis passes them by name
    channels, out_channels, rows, cols, pad, seed
) -> None:
    """`_conv` gives what the definition gives (PyTorch's cross-correlation, zero padding)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(channels, 6, 7)).astype(np.float32)
    weight = rng.normal(size=(out_channels, channels, rows, cols)).astype(np.float32)
    bias = rng.normal(size=out_channels).astype(np.float32)
    padded = np.pad(x, ((0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    height, width = padded.shape[1] - rows + 1, padded.shape[2] - cols + 1
    expected = np.empty((out_channels, height, width), np.float64)
    for o in range(out_channels):
        for i in range(height):
            for j in range(width):
                expected[o, i, j] = (padded[:, i : i + rows, j : j + cols] * weight[o]).sum()
                expected[o, i, j] += bias[o]
    np.testing.assert_allclose(_conv(x, weight, bias, pad), expected, rtol=1e-4, atol=1e-4)


def test_max_pool_takes_the_largest_of_each_window_and_drops_a_ragged_edge() -> None:
    """2x2 pooling of a 3x5 array keeps two windows; (2, 1) pooling halves rows only."""
    x = np.arange(15, dtype=np.float32).reshape(1, 3, 5)
    assert _max_pool(x, (2, 2)).tolist() == [[[6.0, 8.0]]]
    assert _max_pool(x, (2, 1)).tolist() == [[[5.0, 6.0, 7.0, 8.0, 9.0]]]


def test_shipped_network_has_the_layers_the_reader_runs() -> None:
    """The package's weights load without pickle and fit `LAYERS`: one frame per 4 pixels,
    one score per MRZ character plus the CTC blank."""
    reader = find_line_reader()
    assert reader is not None
    assert len(reader.weights) == sum(1 for kind, _ in LAYERS if kind != "pool")
    scores = reader.logits(np.zeros((LINE_HEIGHT, 200), np.float32))
    assert scores.shape == (len(ALPHABET) + 1, 50)


# --- cutting lines -----------------------------------------------------------------------------


def test_blank_and_tiny_blocks_have_no_lines() -> None:
    """Plain paper, a single row or a single column give no band and no error."""
    assert find_bands(np.full((40, 200), 230, np.uint8)) == ()
    assert find_bands(np.full((1, 200), 230, np.uint8)) == ()
    assert find_bands(np.full((40, 1), 230, np.uint8)) == ()
    assert find_bands(np.zeros((0, 0), np.uint8)) == ()
    assert row_profile(np.full((5, 1), 9, np.uint8)).tolist() == [0.0] * 5


def test_line_image_is_line_height_and_normalised_even_past_the_block_edge() -> None:
    """A band reaching outside the block is cut with the edge repeated, `LINE_HEIGHT` rows,
    ink near 1 and paper near 0."""
    block = np.full((20, 120), 220, np.uint8)
    block[8:14, 10:110:4] = 20
    image = line_image(block, Band(-10, 30, 1.0))
    assert image.shape[0] == LINE_HEIGHT
    assert image.dtype == np.float32
    assert image.max() > 0.9
    assert abs(float(np.median(image))) < 0.1


@pytest.mark.ocr
@pytest.mark.parametrize("name", ["td3_clean.jpg", "td1_clean.jpg", "td3_100dpi.png"])
def test_mrz_lines_of_generated_samples_each_get_a_band(name: str) -> None:
    """Every MRZ line of a generated specimen is one band, in order."""
    expected = _manifest()[name]["lines"]
    reader = find_line_reader()
    assert reader is not None
    for block in _blocks(name):
        bands = find_bands(block)
        texts = [reader.read(line_image(block, band)).text for band in bands]
        if set(expected) <= set(texts):
            break
    else:
        pytest.fail("no block has every MRZ line as a band")
    mrz = [band for band, text in zip(bands, texts, strict=True) if text in expected]
    assert [texts[bands.index(band)] for band in mrz] == expected
    heights = [band.height for band in mrz]
    assert max(heights) <= 1.5 * min(heights)


# --- reading real lines ----------------------------------------------------------------------


@pytest.mark.ocr
@pytest.mark.parametrize(
    "name", ["td3_clean.jpg", "td1_clean.jpg", "td2_clean.jpg", "visa_100dpi.png"]
)
def test_reads_every_mrz_line_of_generated_samples(name: str) -> None:
    """The network alone reads each MRZ line of the project's specimens exactly."""
    reader = find_line_reader()
    assert reader is not None
    read = {line.text for block in _blocks(name) for line in reader.read_block(block)}
    assert set(_manifest()[name]["lines"]) <= read


@pytest.mark.ocr
def test_reads_real_specimen_lines(shared_data: Path) -> None:
    """On a real scanned specimen (Canada's passport) the network reads both lines exactly,
    each character with its probability and runner-up."""
    rows = {
        row["file"]: row
        for row in map(json.loads, (shared_data / "mrz" / "images.jsonl").read_text().splitlines())
    }
    name = "mrz-Arg0s1080__docs_images_passports_Canada.png"
    reader = find_line_reader()
    assert reader is not None
    blocks = _blocks(name, folder=shared_data / "mrz" / "images")
    lines = [line for block in blocks for line in reader.read_block(block)]
    texts = [line.text for line in lines]
    assert set(rows[name]["lines"]) <= set(texts)
    line = lines[texts.index(rows[name]["lines"][0])]
    assert len(line.probabilities) == len(line.text) == len(line.alternatives)
    assert all(0 < p <= 1 for p in line.probabilities)
    assert 0 < line.confidence <= 100


def test_reader_loads_weights_from_a_file(tmp_path: Path) -> None:
    """`LineReader.load` reads exported arrays; a missing array is a KeyError, not a pickle."""
    reader = find_line_reader()
    assert reader is not None
    path = tmp_path / "w.npz"
    np.savez(path, **{f"w{i}": w for i, (w, _) in enumerate(reader.weights)})
    with pytest.raises(KeyError):
        LineReader.load(path)


@settings(max_examples=60, deadline=None)
@given(
    height=st.integers(1, 60),
    width=st.integers(1, 120),
    seed=st.integers(0, 2**16),
    stripes=st.booleans(),
)
def test_any_block_gives_sane_bands_and_line_images(height, width, seed, stripes) -> None:
    """Whatever the block (noise, stripes, one row, one column), bands are ordered, each cuts
    at least one row of the block, and each line image is finite, `LINE_HEIGHT` high."""
    rng = np.random.default_rng(seed)
    block = rng.integers(0, 256, size=(height, width), dtype=np.uint8)
    if stripes:
        block[::4] = 0
    bands = find_bands(block)
    assert [band.top for band in bands] == sorted(band.top for band in bands)
    for band in bands:
        assert band.height > 0
        assert band.top < height
        assert band.bottom > 0
        image = line_image(block, band)
        assert image.shape[0] == LINE_HEIGHT
        assert image.shape[1] >= LINE_HEIGHT
        assert np.isfinite(image).all()


def test_block_the_line_reader_reads_as_an_mrz_is_read_first() -> None:
    """A busy first block (here: noise) would spend the page's Tesseract budget before the
    zone is reached; our line reader looks at every block first (no Tesseract call) and the
    one it reads as a consistent MRZ goes first. Its lines are kept, not read twice."""
    from screening.ocr import _looked_over  # noqa: PLC0415 - private helper under test

    image = load_document(ROOT / "samples" / "td3_clean.jpg").pages[0].image
    reader = find_line_reader()
    assert reader is not None
    [zone] = [
        candidate
        for candidate in find_candidates(image)
        if any(line.text.startswith("P<UTO") for line in reader.read_block(candidate.crop))
    ]
    noise = np.random.default_rng(7).integers(0, 256, (120, 600), dtype=np.uint8)
    busy = dataclasses.replace(zone, crop=noise, score=zone.score + 1)
    seen: dict = {}
    assert [id(c) for c in _looked_over((busy, zone), seen)] == [id(zone), id(busy)]
    assert set(seen) == {id(busy), id(zone)}
    assert [id(c) for c in _looked_over((zone, busy), {})] == [id(zone), id(busy)]
