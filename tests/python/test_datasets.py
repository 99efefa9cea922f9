"""Tests for datasets/: MFCC features against an independent slow reference, the vibration physical
model, and byte-exact determinism of the builders whose small outputs are committed as fixtures.

Run: /usr/bin/python3 -m pytest tests/python/test_datasets.py
"""
import hashlib
import math
import os
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATASETS = os.path.join(ROOT, "datasets")
FIXTURES = os.path.join(DATASETS, "fixtures")
sys.path.insert(0, DATASETS)

import build_digits  # noqa: E402
import build_fmnist  # noqa: E402
import build_vibration  # noqa: E402
import mfcc  # noqa: E402
import npzio  # noqa: E402
import vibration  # noqa: E402


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


# ---------------------------------------------------------------- MFCC: independent reference
def reference_mfcc(signal):
    """Slow, loop-based MFCC written from the MLPerf/TF definitions without reusing mfcc.py:
    explicit DFT sums (cos/sin), per-filter triangles evaluated bin by bin, explicit DCT-II sums."""
    sr, flen, step, nfft, nmel, nmfcc = 16000, 640, 320, 1024, 40, 10
    mel = lambda f: 1127.0 * math.log(1.0 + f / 700.0)  # noqa: E731
    nbins = nfft // 2 + 1
    lo, hi = mel(20.0), mel(4000.0)
    edges = [lo + (hi - lo) * i / (nmel + 1) for i in range(nmel + 2)]
    weights = np.zeros((nbins, nmel))
    for b in range(1, nbins):  # bin 0 (DC) has zero weight
        m = mel(b * (sr / 2.0) / (nbins - 1))
        for j in range(nmel):
            left, centre, right = edges[j], edges[j + 1], edges[j + 2]
            if left < m <= centre:
                weights[b, j] = (m - left) / (centre - left)
            elif centre < m < right:
                weights[b, j] = (right - m) / (right - centre)
    n = np.arange(flen)
    window = np.array([0.5 - 0.5 * math.cos(2 * math.pi * i / flen) for i in range(flen)])
    k = np.arange(nbins)[:, None]
    cos_m = np.cos(2 * np.pi * k * n[None, :] / nfft)  # zero padding to nfft adds nothing
    sin_m = np.sin(2 * np.pi * k * n[None, :] / nfft)
    out = []
    for f in range((len(signal) - flen) // step + 1):
        frame = signal[f * step:f * step + flen] * window
        mag = np.sqrt((cos_m @ frame) ** 2 + (sin_m @ frame) ** 2)
        logmel = [math.log(sum(mag[b] * weights[b, j] for b in range(nbins) if weights[b, j] > 0)
                           + 1e-6) for j in range(nmel)]
        out.append([sum(2.0 * logmel[i] * math.cos(math.pi * c * (2 * i + 1) / (2 * nmel))
                        for i in range(nmel)) / math.sqrt(2 * nmel) for c in range(nmfcc)])
    return np.array(out)


def test_mfcc_matches_slow_reference_on_noise_and_chirp():
    rng = np.random.default_rng(0)
    t = np.arange(16000) / 16000.0
    chirp = 0.5 * np.sin(2 * np.pi * (100 * t + 1500 * t ** 2))
    for sig in (0.1 * rng.standard_normal(16000), chirp + 0.01 * rng.standard_normal(16000)):
        got = mfcc.mfcc(sig)
        want = reference_mfcc(sig)
        assert got.shape == (49, 10) and got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=2e-4)


def test_mfcc_of_silence_is_the_log_offset_through_the_dct():
    got = mfcc.mfcc(np.zeros(16000))
    c0 = 2 * 40 * math.log(1e-6) / math.sqrt(80)  # DCT-II of a constant: only c0 is non-zero
    np.testing.assert_allclose(got[:, 0], c0, rtol=1e-6)
    np.testing.assert_allclose(got[:, 1:], 0.0, atol=1e-4)


@pytest.mark.parametrize("freq", [150.0, 440.0, 1000.0, 2500.0, 3700.0])
def test_pure_tone_peaks_in_the_mel_bin_centred_nearest_to_it(freq):
    t = np.arange(16000) / 16000.0
    logmel = mfcc.log_mel_batch(0.5 * np.sin(2 * np.pi * freq * t)[None, :])[0].mean(axis=0)
    mels = np.linspace(mfcc.hz_to_mel(20.0), mfcc.hz_to_mel(4000.0), 42)[1:-1]
    assert int(np.argmax(logmel)) == int(np.argmin(np.abs(mels - mfcc.hz_to_mel(freq))))


def test_mfcc_frame_count_follows_mlperf_geometry():
    assert mfcc.frames(np.zeros(16000)).shape == (49, 640)


# ---------------------------------------------------------------- vibration physical model
def _envelope_peak_ratio(sig, params, target_hz):
    f, mag = vibration.envelope_spectrum(sig, params["resonance_hz"] - 600, params["resonance_hz"] + 600)
    band = (f > 5) & (f < 400)
    near = np.abs(f - target_hz) <= 2 * (f[1] - f[0])
    return mag[near].max() / np.median(mag[band]), f[band][np.argmax(mag[band])]


def test_outer_race_fault_frequency_dominates_the_envelope_spectrum():
    rng = np.random.default_rng(1)
    for _ in range(5):
        sig, p = vibration.window(rng, "outer_race", return_params=True)
        assert p["fault_hz"] == pytest.approx(vibration.BPFO_RATIO * p["shaft_hz"])
        ratio, peak = _envelope_peak_ratio(sig, p, p["fault_hz"])
        assert abs(peak - p["fault_hz"]) <= 2 * vibration.FS / vibration.WINDOW
        assert ratio > 10


def test_inner_race_fault_shows_bpfi_and_normal_machine_does_not():
    rng = np.random.default_rng(2)
    faulty, healthy = [], []
    for _ in range(10):
        sig, p = vibration.window(rng, "inner_race", return_params=True)
        faulty.append(_envelope_peak_ratio(sig, p, p["fault_hz"])[0])
        sig, q = vibration.window(rng, "normal", return_params=True)
        healthy.append(_envelope_peak_ratio(sig, q, vibration.BPFI_RATIO * q["shaft_hz"])[0])
    # the load-zone modulation spreads BPFI energy into shaft-rate sidebands, so its line is weaker
    # than the outer-race one, but it still stands above every healthy window's
    assert min(faulty) > max(healthy)
    assert np.mean(faulty) > 3 * np.mean(healthy)


def test_imbalance_raises_the_shaft_rate_band():
    normal = build_vibration.generate(["normal"] * 50, seed=3)
    imbalance = build_vibration.generate(["imbalance"] * 50, seed=3)
    # band 0 is 0-32 Hz and holds the 20-30 Hz shaft rate; the same seed draws the same speeds and
    # 1x amplitudes, and imbalance multiplies A_1 by 1.8-3.0 (+0.51..0.95 in log10 power)
    diff = imbalance[:, 0] - normal[:, 0]
    assert diff.min() > 0.25 and diff.mean() > 0.5
    assert np.abs(imbalance[:, 20:].mean() - normal[:, 20:].mean()) < 0.05


def test_vibration_features_shape_and_seed_determinism():
    a = build_vibration.generate(["normal", "outer_race"], seed=9)
    b = build_vibration.generate(["normal", "outer_race"], seed=9)
    assert a.shape == (2, 128) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- builders and fixtures
def test_fmnist_calibration_subset_rebuilds_byte_exact(tmp_path):
    out = str(tmp_path / "fmnist_calib_1k.npz")
    digest = build_fmnist.build_calib(out)
    assert digest == sha256(os.path.join(FIXTURES, "fmnist_calib_1k.npz"))
    z = npzio.load_npz(out)
    assert z["x"].shape == (1000, 1, 28, 28) and z["x"].dtype == np.uint8
    assert z["y"].dtype == np.int64
    assert np.bincount(z["y"], minlength=10).tolist() == [100] * 10


def test_fmnist_calibration_images_are_real_training_images():
    x, y = build_fmnist.load_split("train")
    assert x.shape == (60000, 1, 28, 28) and np.bincount(y).tolist() == [6000] * 10
    idx = build_fmnist.calib_indices(y)
    z = npzio.load_npz(os.path.join(FIXTURES, "fmnist_calib_1k.npz"))
    np.testing.assert_array_equal(z["x"], x[idx])
    np.testing.assert_array_equal(z["y"], y[idx])


def test_digits_and_vibration_fixtures_rebuild_byte_exact(tmp_path):
    res = build_digits.build(str(tmp_path))
    assert res["digits_calib"] == sha256(os.path.join(FIXTURES, "digits_calib.npz"))
    x = build_vibration.generate(["normal"] * 200, seed=11)
    p = str(tmp_path / "vibration_calib.npz")
    npzio.save_npz(p, compressed=True, x=x, y=np.zeros(200, np.int64))
    assert sha256(p) == sha256(os.path.join(FIXTURES, "vibration_calib.npz"))


def test_kws_fixture_shape_and_classes():
    z = npzio.load_npz(os.path.join(FIXTURES, "kws_calib.npz"))
    assert z["x"].shape == (120, 1, 49, 10) and z["x"].dtype == np.float32
    assert np.bincount(z["y"], minlength=12).tolist() == [10] * 12
    assert np.all(np.isfinite(z["x"]))


def test_npz_writer_is_deterministic_and_numpy_readable(tmp_path):
    arrays = {"x": np.arange(12, dtype=np.uint8).reshape(3, 4), "y": np.array([1, 2, 3])}
    a, b = str(tmp_path / "a.npz"), str(tmp_path / "b.npz")
    for compressed in (False, True):
        assert npzio.save_npz(a, compressed=compressed, **arrays) == npzio.save_npz(
            b, compressed=compressed, **arrays)
        with np.load(a) as z:
            np.testing.assert_array_equal(z["x"], arrays["x"])
            np.testing.assert_array_equal(z["y"], arrays["y"])


# ---------------------------------------------------------------- 1,000-sample calibration sets and validation splits
import build_splits  # noqa: E402

OUT = os.path.join(DATASETS, "out")


def test_digits_calib_1k_fixture_rebuilds_byte_exact(tmp_path):
    build_digits.build(str(tmp_path))
    res = build_splits.build(str(tmp_path), ["digits"])
    assert res["digits_calib_1k"] == sha256(os.path.join(FIXTURES, "digits_calib_1k.npz"))


def rows_of(x):
    return {r.tobytes(): i for i, r in enumerate(x.reshape(len(x), -1))}


@pytest.mark.parametrize("name,n_val", [("fmnist", 10000), ("digits", 438), ("kws", 1880),
                                        ("vibration", 2000)])
def test_calib_and_val_are_disjoint_stratified_training_samples(name, n_val):
    """Each 1,000-sample calibration set and each validation split holds training samples only
    (with their labels), the two share no sample, and each class gets its share of the draw
    (within one sample of 1000 * n_c / N; fmnist's 100 per class)."""
    train = npzio.load_npz(os.path.join(OUT, f"{name}_train.npz"))
    calib = npzio.load_npz(os.path.join(OUT, f"{name}_calib_1k.npz"))
    val = npzio.load_npz(os.path.join(OUT, f"{name}_val.npz"))
    assert len(calib["x"]) == 1000 and len(val["x"]) == n_val
    where = rows_of(train["x"])
    idx_c = [where[r.tobytes()] for r in calib["x"].reshape(1000, -1)]
    idx_v = [where[r.tobytes()] for r in val["x"].reshape(n_val, -1)]
    np.testing.assert_array_equal(train["y"][idx_c], calib["y"])
    np.testing.assert_array_equal(train["y"][idx_v], val["y"])
    assert not set(idx_c) & set(idx_v)
    assert idx_c == sorted(idx_c) and idx_v == sorted(idx_v)
    classes, counts = np.unique(train["y"], return_counts=True)
    got = np.array([np.sum(calib["y"] == c) for c in classes])
    assert np.all(np.abs(got - 1000 * counts / counts.sum()) < 1.0), got
