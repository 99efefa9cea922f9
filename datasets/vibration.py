"""Physical model of a rotating machine's accelerometer signal, for predictive-maintenance data.

One window of a(t), t = n / FS, n = 0..WINDOW-1 (FS = 8192 Hz, WINDOW = 4096 samples = 0.5 s):

  a(t) = sum_{k=1..5} A_k sin(2 pi k f_r t + phi_k)                 shaft harmonics
       + I * sum_i g_i h(t - t_i)                                   bearing-fault impulse train
       + s_n * (h * w)(t) + s_w * w(t)                              structural + sensor noise

  shaft speed  f_r ~ U(20, 30) Hz, load L ~ U(0, 1), phases phi_k ~ U(0, 2 pi)
  harmonics    A_k = a_1 (1 + 0.3 L) / k^1.5,  a_1 ~ U(0.8, 1.2)
  resonance    h(t) = exp(-2 pi zeta f_n t) sin(2 pi f_n sqrt(1 - zeta^2) t), t >= 0,
               f_n ~ U(2800, 3200) Hz, zeta = 0.02, h normalised to unit peak
  noise        w white Gaussian (unit variance); s_n ~ U(0.005, 0.02), s_w ~ U(0.05, 0.15)

Faults (anomalies; I = 0 for a healthy machine):
  outer race   impulses at the ball-pass frequency outer race
               BPFO = (n_b / 2) f_r (1 - (d/D) cos theta) = 3.585 f_r (n_b = 9, d/D = 0.2033,
               theta = 0; SKF 6205 geometry), g_i = 1, t_i = i / BPFO + 1% timing jitter (slip),
               I ~ U(0.5, 1.5)
  inner race   impulses at BPFI = (n_b / 2) f_r (1 + (d/D) cos theta) = 5.415 f_r, amplitude
               modulated by the load zone at shaft rate: g_i = 0.5 (1 + cos(2 pi f_r t_i)),
               I ~ U(0.6, 2.0)
  imbalance    the once-per-revolution force m e (2 pi f_r)^2 grows: A_1 multiplied by U(1.8, 3.0)
  misalignment the twice-per-revolution component grows: A_2 multiplied by U(3, 6)

Features (what the autoencoder sees): a Welch power spectrum (Hann-weighted segments of SEGMENT =
1024 samples, 50 % overlap, 7 segments, |rFFT|^2 averaged), its 512 bins above DC averaged into 128
bands of 4 bins (32 Hz each), and log10(band power + 1e-8): float32 (128,). Averaging segments and
bins keeps the estimation noise of each band small, so that a change confined to a few bands (the
1x or 2x line) still moves the reconstruction error of a 128-feature autoencoder.
"""
import numpy as np

FS = 8192
WINDOW = 4096
SEGMENT = 1024
BPFO_RATIO = 3.585
BPFI_RATIO = 5.415
FAULTS = ["normal", "outer_race", "inner_race", "imbalance", "misalignment"]
N_BANDS = 128


def resonance_kernel(fn, zeta=0.02, length=256):
    t = np.arange(length) / FS
    h = np.exp(-2 * np.pi * zeta * fn * t) * np.sin(2 * np.pi * fn * np.sqrt(1 - zeta ** 2) * t)
    return h / np.max(np.abs(h))


def impulse_train(rate_hz, rng, shaft_hz=None, jitter=0.01):
    """Impulse amplitudes on the sample grid at rate_hz; load-zone modulated if shaft_hz is set."""
    period = 1.0 / rate_hz
    t0 = rng.uniform(0, period)
    times = t0 + period * np.arange(int(WINDOW / FS * rate_hz) + 2)
    times = times + rng.normal(0, jitter * period, size=times.shape)
    times = times[(times >= 0) & (times < WINDOW / FS)]
    g = np.ones_like(times)
    if shaft_hz is not None:
        g = 0.5 * (1 + np.cos(2 * np.pi * shaft_hz * times))
    x = np.zeros(WINDOW)
    np.add.at(x, np.minimum((times * FS).astype(int), WINDOW - 1), g)
    return x


def convolve(x, h):
    n = len(x) + len(h) - 1
    nfft = 1 << (n - 1).bit_length()
    return np.fft.irfft(np.fft.rfft(x, nfft) * np.fft.rfft(h, nfft), nfft)[:len(x)]


def window(rng, fault="normal", return_params=False):
    """Draws one accelerometer window (float64, WINDOW samples) of the given condition."""
    t = np.arange(WINDOW) / FS
    fr = rng.uniform(20, 30)
    load = rng.uniform(0, 1)
    a1 = rng.uniform(0.8, 1.2)
    amps = a1 * (1 + 0.3 * load) / np.arange(1, 6) ** 1.5
    if fault == "imbalance":
        amps[0] *= rng.uniform(1.8, 3.0)
    if fault == "misalignment":
        amps[1] *= rng.uniform(3.0, 6.0)
    phases = rng.uniform(0, 2 * np.pi, size=5)
    k = np.arange(1, 6)[:, None]
    sig = np.sum(amps[:, None] * np.sin(2 * np.pi * k * fr * t + phases[:, None]), axis=0)
    fn = rng.uniform(2800, 3200)
    h = resonance_kernel(fn)
    white = rng.standard_normal(WINDOW)
    sig += rng.uniform(0.005, 0.02) * convolve(rng.standard_normal(WINDOW), h)
    sig += rng.uniform(0.05, 0.15) * white
    fault_hz = None
    if fault == "outer_race":
        fault_hz = BPFO_RATIO * fr
        sig += rng.uniform(0.5, 1.5) * convolve(impulse_train(fault_hz, rng), h)
    elif fault == "inner_race":
        fault_hz = BPFI_RATIO * fr
        sig += rng.uniform(0.6, 2.0) * convolve(impulse_train(fault_hz, rng, shaft_hz=fr), h)
    if return_params:
        return sig, {"shaft_hz": fr, "fault_hz": fault_hz, "resonance_hz": fn}
    return sig


def hann(n):
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)


def features(sig):
    """(..., WINDOW) -> float32 (..., 128) log10 band powers (see module docstring): Welch average
    of Hann-weighted SEGMENT-sample periodograms with 50 % overlap."""
    starts = range(0, sig.shape[-1] - SEGMENT + 1, SEGMENT // 2)
    p = np.mean([np.abs(np.fft.rfft(sig[..., s:s + SEGMENT] * hann(SEGMENT), axis=-1)) ** 2
                 for s in starts], axis=0)
    bands = p[..., 1:].reshape(p.shape[:-1] + (N_BANDS, -1)).mean(axis=-1)
    return np.log10(bands + 1e-8).astype(np.float32)


def envelope_spectrum(sig, lo_hz, hi_hz):
    """Band-pass (FFT mask) then |analytic signal| -> (freqs, magnitude spectrum of the envelope)."""
    spec = np.fft.fft(sig)
    f = np.fft.fftfreq(len(sig), 1.0 / FS)
    analytic = np.where((f >= lo_hz) & (f <= hi_hz), 2.0 * spec, 0.0)
    env = np.abs(np.fft.ifft(analytic))
    env -= env.mean()
    return np.fft.rfftfreq(len(sig), 1.0 / FS), np.abs(np.fft.rfft(env * hann(len(sig))))
