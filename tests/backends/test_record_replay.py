"""--trust-record writes responses with their keys; replay:DIR serves them back."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from trustcheck.backends import (
    BackendError,
    Generation,
    GenerationRequest,
    ModelIdentity,
    create_backend,
)
from trustcheck.responses.keys import cache_key, request_key
from trustcheck.responses.record import (
    MANIFEST_FILE,
    RESPONSES_FILE,
    Recorder,
    identity_fingerprint,
)

MODEL = ModelIdentity(backend="hf", backend_version="5", weights_hash="w1", chat_template_hash="t1", display_name="hf:/a")
OTHER = ModelIdentity(backend="hf", backend_version="5", weights_hash="w2", display_name="hf:/b")


def record(directory: Path, identity: ModelIdentity, answers: dict[str, str], **settings: object) -> None:
    recorder = Recorder(directory)
    for prompt, text in answers.items():
        request = GenerationRequest(prompt, **settings)  # type: ignore[arg-type]
        recorder.write(identity, request, Generation(text=text, finish_reason="stop"), cache_key(identity, request))


def test_a_recording_is_served_back_with_the_recorded_identity(tmp_path: Path) -> None:
    record(tmp_path, MODEL, {"q1": "a1", "q2": "a2"})
    backend = create_backend(f"replay:{tmp_path}")
    assert backend.identity() == MODEL
    results = backend.generate([GenerationRequest("q2"), GenerationRequest("q1")])
    assert [(r.text, r.finish_reason) for r in results] == [("a2", "stop"), ("a1", "stop")]


def test_each_line_holds_the_keys_prompt_settings_and_text(tmp_path: Path) -> None:
    record(tmp_path, MODEL, {"q": "a"}, temperature=0.5, seed=3)
    line = json.loads((tmp_path / RESPONSES_FILE).read_text().splitlines()[0])
    request = GenerationRequest("q", temperature=0.5, seed=3)
    assert line["request_key"] == request_key(request)
    assert line["cache_key"] == cache_key(MODEL, request)
    assert (line["prompt"], line["settings"], line["text"]) == ("q", request.settings(), "a")
    manifest = json.loads((tmp_path / MANIFEST_FILE).read_text())
    assert manifest["models"] == {identity_fingerprint(MODEL): MODEL.as_dict()}


def test_settings_are_part_of_what_is_replayed(tmp_path: Path) -> None:
    record(tmp_path, MODEL, {"q": "greedy"})
    record(tmp_path, MODEL, {"q": "sampled"}, temperature=1.0, seed=9)
    backend = create_backend(f"replay:{tmp_path}")
    greedy, sampled, other_seed = backend.generate(
        [GenerationRequest("q"), GenerationRequest("q", temperature=1.0, seed=9), GenerationRequest("q", temperature=1.0, seed=8)]
    )
    assert (greedy.text, sampled.text) == ("greedy", "sampled")
    assert not other_seed.ok


def test_a_miss_names_the_directory_and_the_prompt(tmp_path: Path) -> None:
    record(tmp_path, MODEL, {"known": "a"})
    prompt = "an unrecorded prompt that is longer than sixty characters, so it is cut short here"
    miss = create_backend(f"replay:{tmp_path}").generate([GenerationRequest(prompt)])[0]
    assert not miss.ok
    assert str(tmp_path) in (miss.error or "") and repr(prompt[:60]) in (miss.error or "")
    assert prompt[:61] not in (miss.error or "")


def test_errors_are_not_recorded(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path)
    request = GenerationRequest("q")
    recorder.write(MODEL, request, Generation(text=None, error="server down"), cache_key(MODEL, request))
    assert not (tmp_path / RESPONSES_FILE).exists()


def test_the_latest_recording_of_a_request_wins(tmp_path: Path) -> None:
    record(tmp_path, MODEL, {"q": "old"})
    record(tmp_path, MODEL, {"q": "new"})
    assert create_backend(f"replay:{tmp_path}").generate([GenerationRequest("q")])[0].text == "new"


def test_two_models_in_one_directory_need_a_choice(tmp_path: Path) -> None:
    record(tmp_path, MODEL, {"q": "from a"})
    record(tmp_path, OTHER, {"q": "from b"})
    with pytest.raises(BackendError, match="several models are recorded, pick one with #model=NAME"):
        create_backend(f"replay:{tmp_path}")
    by_name = create_backend(f"replay:{tmp_path}#model=hf:/b")
    by_fingerprint = create_backend(f"replay:{tmp_path}#model={identity_fingerprint(MODEL)[:8]}")
    assert by_name.generate([GenerationRequest("q")])[0].text == "from b"
    assert by_fingerprint.generate([GenerationRequest("q")])[0].text == "from a"
    with pytest.raises(BackendError, match="no recorded model matches"):
        create_backend(f"replay:{tmp_path}#model=nothing-like-it")


def test_a_directory_without_a_recording_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="no recording there .manifest.json is missing"):
        create_backend(f"replay:{tmp_path / 'nowhere'}")


def test_a_broken_line_names_the_file_and_line(tmp_path: Path) -> None:
    record(tmp_path, MODEL, {"q": "a"})
    with (tmp_path / RESPONSES_FILE).open("a") as handle:
        handle.write("{not json\n")
    with pytest.raises(BackendError, match=rf"{RESPONSES_FILE}:2: not a recorded response line"):
        create_backend(f"replay:{tmp_path}")


def _record_many(directory: str, worker: int, count: int) -> None:
    identity = MODEL if worker % 2 == 0 else OTHER
    record(Path(directory), identity, {f"w{worker}-{i}-" + "x" * 3000: f"answer {worker} {i}" for i in range(count)})


def test_processes_recording_at_once_lose_no_line(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_record_many, args=(str(tmp_path), w, 150)) for w in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
        assert process.exitcode == 0
    lines = (tmp_path / RESPONSES_FILE).read_text().splitlines()
    assert len(lines) == 600 and all(json.loads(line)["text"].startswith("answer") for line in lines)
    assert len(json.loads((tmp_path / MANIFEST_FILE).read_text())["models"]) == 2
    replay = create_backend(f"replay:{tmp_path}#model=hf:/b")
    assert replay.generate([GenerationRequest("w3-149-" + "x" * 3000)])[0].text == "answer 3 149"
