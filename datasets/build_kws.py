"""Builds a keyword-spotting set (MLPerf Tiny KWS layout) from speech synthesized with espeak-ng.

Classes (MLPerf Tiny KWS label order):
  0 down  1 go  2 left  3 no  4 off  5 on  6 right  7 stop  8 up  9 yes  10 silence  11 unknown
"unknown" clips say one of 20 other Speech Commands words; "silence" clips hold noise only.

Each clip draws, from one seeded generator (seed 7), an English espeak-ng voice, a voice variant, a
speed (110-200 wpm) and pitch (20-80); the 22,050 Hz synthesis is trimmed, resampled to 16 kHz
exactly (FFT band-limited resampling), scaled to a random peak (0.25-0.9) and placed at a random
offset in a 1 s clip. Background noise (white, pink, brown, mains hum, or machine-like tonal +
band-passed noise) is added at an SNR drawn from {30, 20, 10, 5} dB. Features: datasets/mfcc.py
(49 frames x 10 MFCCs). Outputs (x: float32 (N,1,49,10), y: int64):
  <out>/kws_train.npz, <out>/kws_test.npz (stratified 80/20 split, seed 7)
  <out>/kws_calib.npz (10 training clips per class, compressed; committed as datasets/fixtures/)
"""
import argparse
import io
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from mfcc import SAMPLE_RATE, mfcc_batch  # noqa: E402
from npzio import save_npz  # noqa: E402

LABELS = ["down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes", "silence", "unknown"]
UNKNOWN_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                 "bed", "bird", "cat", "dog", "happy", "house", "marvin", "sheila", "tree", "wow"]
VOICES = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp", "en-gb-x-gbcwmd",
          "en-029", "en-us-nyc"]
VARIANTS = ["", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5",
            "croak", "klatt", "klatt2", "klatt3", "whisper", "whisperf", "grandma", "grandpa",
            "adam", "Alex", "Alicia", "Andy", "Annie", "aunty", "belinda", "benjamin", "caleb",
            "david", "ed", "edward", "iven", "john", "linda", "max", "Michael", "Mike", "norbert",
            "paul", "quincy", "rob", "robert", "shelby", "steph", "travis", "victor", "zac"]
NOISES = ["white", "pink", "brown", "hum", "machine"]
SNRS_DB = [30.0, 20.0, 10.0, 5.0]
SEED = 7
PER_CLASS = 300
ESPEAK_RATE = 22050


def _parse_wav(data):
    """espeak-ng --stdout writes a WAV whose size fields may be unset: find the data chunk."""
    pos = data.find(b"data")
    if data[:4] != b"RIFF" or pos < 0:
        raise RuntimeError("espeak-ng did not produce WAV output")
    pcm = np.frombuffer(data[pos + 8:len(data) - ((len(data) - pos - 8) % 2)], dtype="<i2")
    return pcm.astype(np.float64) / 32768.0


def synthesize(word, voice, variant, speed, pitch):
    v = voice + ("+" + variant if variant else "")
    out = subprocess.run(["espeak-ng", "--stdout", "-v", v, "-s", str(speed), "-p", str(pitch), word],
                         check=True, capture_output=True).stdout
    return _parse_wav(out)


def resample(x, src=ESPEAK_RATE, dst=SAMPLE_RATE):
    """Band-limited resampling via the FFT (exact for periodic signals; deterministic)."""
    n_out = int(round(len(x) * dst / src))
    spec = np.fft.rfft(x)
    keep = n_out // 2 + 1
    spec = spec[:keep] if len(spec) >= keep else np.pad(spec, (0, keep - len(spec)))
    return np.fft.irfft(spec, n=n_out) * (n_out / len(x))


def trim(x, rel=0.02):
    a = np.abs(x)
    on = np.flatnonzero(a > rel * a.max())
    return x[on[0]:on[-1] + 1] if on.size else x


def make_noise(kind, n, rng):
    if kind == "white":
        z = rng.standard_normal(n)
    elif kind in ("pink", "brown"):
        spec = np.fft.rfft(rng.standard_normal(n))
        f = np.arange(len(spec), dtype=np.float64)
        f[0] = 1.0
        spec /= np.sqrt(f) if kind == "pink" else f
        spec[0] = 0.0
        z = np.fft.irfft(spec, n=n)
    elif kind == "hum":
        t = np.arange(n) / SAMPLE_RATE
        f0 = rng.choice([50.0, 60.0])
        z = sum(rng.uniform(0.2, 1.0) / k * np.sin(2 * np.pi * f0 * k * t + rng.uniform(0, 2 * np.pi))
                for k in range(1, 8))
        z = z + 0.05 * rng.standard_normal(n)
    else:  # machine: a few tones plus noise band-passed around a random centre frequency
        t = np.arange(n) / SAMPLE_RATE
        z = sum(rng.uniform(0.2, 1.0) * np.sin(2 * np.pi * rng.uniform(80, 2000) * t)
                for _ in range(3))
        spec = np.fft.rfft(rng.standard_normal(n))
        freqs = np.fft.rfftfreq(n, 1.0 / SAMPLE_RATE)
        fc, bw = rng.uniform(300, 3000), rng.uniform(100, 800)
        spec *= np.exp(-0.5 * ((freqs - fc) / bw) ** 2)
        band = np.fft.irfft(spec, n=n)
        z = z / np.std(z) + 2.0 * band / np.std(band)
    return z / np.std(z)


def plan(seed=SEED, per_class=PER_CLASS):
    """One dict of parameters per clip, all drawn from a single seeded generator."""
    rng = np.random.default_rng(seed)
    clips = []
    for label, name in enumerate(LABELS):
        for _ in range(per_class):
            c = {"label": label,
                 "word": None if name == "silence" else
                 (UNKNOWN_WORDS[rng.integers(len(UNKNOWN_WORDS))] if name == "unknown" else name),
                 "voice": VOICES[rng.integers(len(VOICES))],
                 "variant": VARIANTS[rng.integers(len(VARIANTS))],
                 "speed": int(rng.integers(110, 201)), "pitch": int(rng.integers(20, 81)),
                 "peak": float(rng.uniform(0.25, 0.9)), "offset": float(rng.uniform()),
                 "noise": NOISES[rng.integers(len(NOISES))],
                 "snr_db": SNRS_DB[rng.integers(len(SNRS_DB))],
                 "silence_rms": float(10 ** rng.uniform(-3, -1)),
                 "noise_seed": int(rng.integers(2 ** 31))}
            clips.append(c)
    return clips


def render(c, speech):
    n = SAMPLE_RATE
    rng = np.random.default_rng(c["noise_seed"])
    noise = make_noise(c["noise"], n, rng)
    if speech is None:
        return noise * c["silence_rms"]
    s = trim(resample(speech))[:n]
    s = s * (c["peak"] / np.max(np.abs(s)))
    start = int(c["offset"] * (n - len(s)))
    clip = np.zeros(n)
    clip[start:start + len(s)] = s
    p_speech = np.mean(s ** 2)
    clip += noise * np.sqrt(p_speech / 10 ** (c["snr_db"] / 10.0))
    return np.clip(clip, -1.0, 1.0)


def build(out_dir, jobs=2, per_class=PER_CLASS):
    clips = plan(per_class=per_class)

    def synth(c):
        if c["word"] is None:
            return None
        return synthesize(c["word"], c["voice"], c["variant"], c["speed"], c["pitch"])

    with ThreadPoolExecutor(max_workers=jobs) as ex:
        speech = list(ex.map(synth, clips))
    audio = np.stack([render(c, s) for c, s in zip(clips, speech)])
    x = np.concatenate([mfcc_batch(audio[i:i + 256]) for i in range(0, len(audio), 256)])
    x = x[:, None, :, :]
    y = np.array([c["label"] for c in clips], dtype=np.int64)
    rng = np.random.default_rng(SEED)
    test = np.zeros(len(y), dtype=bool)
    calib = []
    for k in range(len(LABELS)):
        members = rng.permutation(np.flatnonzero(y == k))
        n_test = len(members) // 5
        test[members[:n_test]] = True
        calib.append(np.sort(members[n_test:])[:10])
    tr, te = np.flatnonzero(~test), np.flatnonzero(test)
    calib = np.sort(np.concatenate(calib))
    res = {}
    for name, idx, comp in (("kws_train", tr, False), ("kws_test", te, False), ("kws_calib", calib, True)):
        p = os.path.join(out_dir, name + ".npz")
        res[name] = save_npz(p, compressed=comp, x=x[idx], y=y[idx])
        print(res[name], p, len(idx))
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    build(args.out, args.jobs)


if __name__ == "__main__":
    main()
