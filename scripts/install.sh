#!/usr/bin/env bash
# Install trustcheck into ./.venv (or the active virtual environment) and make the dataset available.
#   bash scripts/install.sh          # the framework, the default model and the offline evaluators
#   bash scripts/install.sh --dev    # also what the framework's own tests need
# Environment:
#   TORCH_SPEC       torch requirement (default torch==2.13.0, a CPU build; GPU users pass their CUDA build)
#   CMAKE_ARGS       llama.cpp build flags (default: a portable AVX2 CPU build; e.g. -DGGML_CUDA=on for NVIDIA)
#   TRUSTCHECK_DATA  an existing dataset directory or dataset.zip; otherwise the dataset is fetched
#   TRUSTCHECK_DATA_SOURCE  where `trustcheck data fetch` takes it from (default: a dataset.zip in
#                    ../shared/trustllm or ../TrustLLM/dataset, else TrustLLM's GitHub repository)
set -euo pipefail
cd "$(dirname "$0")/.."

extras="all"
[ "${1:-}" = "--dev" ] && extras="$extras,dev"

if [ -z "${VIRTUAL_ENV:-}" ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  # shellcheck disable=SC1091
  . .venv/bin/activate
fi
python -m pip install --quiet --upgrade pip

# torch first: a bare `torch` requirement would pull a multi-GB CUDA build on CPU machines.
python -m pip install --quiet "${TORCH_SPEC:-torch==2.13.0}"

# llama.cpp's native build enables every instruction set the CPU advertises (AMX included),
# which crashes on virtual machines that do not grant them; this portable build does not.
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF}"
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"
python -m pip install --quiet "llama-cpp-python[server]==0.3.36"

python -m pip install --quiet -e ".[$extras]"

# The dataset: $TRUSTCHECK_DATA if set; else a copy of TrustLLM's data beside this checkout (as a
# TrustLLM clone or a shared folder provides it); else a download from TrustLLM's repository.
if [ -z "${TRUSTCHECK_DATA:-}" ]; then
  source="${TRUSTCHECK_DATA_SOURCE:-}"
  for beside in ../shared/trustllm ../TrustLLM/dataset; do
    if [ -z "$source" ] && [ -f "$beside/dataset.zip" ]; then source="$beside"; fi
  done
  trustcheck data fetch ${source:+--from "$source"}
fi
echo "trustcheck installed in ${VIRTUAL_ENV}"
