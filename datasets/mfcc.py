"""MFCC features as in the MLPerf Tiny keyword-spotting benchmark (numpy only).

The MLPerf Tiny KWS reference (get_dataset.py, feature_type="mfcc") computes, for a 1 s clip at
16 kHz:
  1. frames of 640 samples (40 ms) every 320 samples (20 ms), no padding -> 1 + (16000-640)/320 = 49
  2. a periodic Hann window, |rFFT| with fft_length 1024 (magnitude, not power) -> 513 bins
  3. 40 triangular mel filters between 20 Hz and 4000 Hz on the HTK mel scale
     mel(f) = 1127 ln(1 + f/700), built like tf.signal.linear_to_mel_weight_matrix (the DC bin gets
     zero weight; each filter is max(0, min(rising slope, falling slope)) evaluated in mel space)
  4. log(mel + 1e-6)
  5. DCT-II of the 40 log-mel values scaled by 1/sqrt(2*40) (tf.signal.mfccs_from_log_mel_
     spectrograms), keeping the first 10 coefficients.
Output: float32 (49, 10) per clip; mfcc_batch gives (N, 49, 10).
"""
import numpy as np

SAMPLE_RATE = 16000
FRAME_LENGTH = 640
FRAME_STEP = 320
FFT_LENGTH = 1024
NUM_MEL_BINS = 40
LOWER_HZ = 20.0
UPPER_HZ = 4000.0
NUM_MFCC = 10
LOG_OFFSET = 1e-6


def hz_to_mel(f):
    return 1127.0 * np.log1p(np.asarray(f, dtype=np.float64) / 700.0)


def periodic_hann(n):
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n) / n)


def mel_weight_matrix(num_mel_bins=NUM_MEL_BINS, num_spectrogram_bins=FFT_LENGTH // 2 + 1,
                      sample_rate=SAMPLE_RATE, lower_hz=LOWER_HZ, upper_hz=UPPER_HZ):
    """[num_spectrogram_bins, num_mel_bins] triangular filters (tf.signal conventions)."""
    nyquist = sample_rate / 2.0
    linear_hz = np.linspace(0.0, nyquist, num_spectrogram_bins)[1:]
    spec_mel = hz_to_mel(linear_hz)[:, None]
    edges = np.linspace(hz_to_mel(lower_hz), hz_to_mel(upper_hz), num_mel_bins + 2)
    lower, center, upper = edges[:-2], edges[1:-1], edges[2:]
    rising = (spec_mel - lower) / (center - lower)
    falling = (upper - spec_mel) / (upper - center)
    w = np.maximum(0.0, np.minimum(rising, falling))
    return np.vstack([np.zeros((1, num_mel_bins)), w])


def dct_matrix(n_in=NUM_MEL_BINS, n_out=NUM_MFCC):
    """[n_in, n_out]: DCT-II (2*sum x[n] cos(pi k (2n+1) / 2N)) times 1/sqrt(2N)."""
    n = np.arange(n_in)[:, None]
    k = np.arange(n_out)[None, :]
    return 2.0 * np.cos(np.pi * k * (2 * n + 1) / (2.0 * n_in)) / np.sqrt(2.0 * n_in)


_MEL = mel_weight_matrix()
_DCT = dct_matrix()
_WINDOW = periodic_hann(FRAME_LENGTH)


def frames(signal):
    n = 1 + (signal.shape[-1] - FRAME_LENGTH) // FRAME_STEP
    idx = np.arange(FRAME_LENGTH)[None, :] + FRAME_STEP * np.arange(n)[:, None]
    return signal[..., idx]


def log_mel_batch(signals):
    """signals: float (N, 16000) in [-1, 1] -> float64 (N, 49, 40) log mel magnitudes."""
    x = np.asarray(signals, dtype=np.float64)
    fr = frames(x) * _WINDOW
    mag = np.abs(np.fft.rfft(fr, n=FFT_LENGTH, axis=-1))
    return np.log(mag @ _MEL + LOG_OFFSET)


def mfcc_batch(signals):
    """signals: float (N, 16000) in [-1, 1] -> float32 (N, 49, 10)."""
    return (log_mel_batch(signals) @ _DCT).astype(np.float32)


def mfcc(signal):
    """signal: float (16000,) -> float32 (49, 10)."""
    return mfcc_batch(np.asarray(signal)[None, :])[0]
