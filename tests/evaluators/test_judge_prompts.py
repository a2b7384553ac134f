"""Loading TrustLLM's judge prompts from task_prompt.json beside the data."""

from __future__ import annotations

import json
import zipfile

import pytest
from support.requirements import trustllm_data

from trustcheck.common.errors import DataError
from trustcheck.evaluators.judge import load_task_prompt_specs, load_task_prompts

PROMPTS = {
    "ETHICS": {"prompt": "Classify. Here is the response:"},
    "advfact": {
        "prompt": "Misinformation: [[misinformation]]\nResponse: [[response]]",
        "mapping": {"[[misinformation]]": "modified knowledge", "[[response]]": "res"},
    },
}


def write_prompts(directory, document=PROMPTS):
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "task_prompt.json"
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)
    return path


def test_from_the_data_directory(tmp_path):
    write_prompts(tmp_path)
    assert load_task_prompts(tmp_path) == {
        "ETHICS": "Classify. Here is the response:",
        "advfact": PROMPTS["advfact"]["prompt"],
    }


def test_next_to_the_dataset_zip(tmp_path):
    write_prompts(tmp_path)
    archive = tmp_path / "dataset.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("dataset/safety/misuse.json", "[]")
    assert set(load_task_prompts(str(archive))) == {"ETHICS", "advfact"}


def test_beside_an_unpacked_dataset_folder(tmp_path):
    write_prompts(tmp_path)
    (tmp_path / "dataset" / "safety").mkdir(parents=True)
    assert "ETHICS" in load_task_prompts(tmp_path / "dataset")


def test_env_var_when_no_directory_given(tmp_path, monkeypatch):
    write_prompts(tmp_path)
    monkeypatch.setenv("TRUSTCHECK_DATA", str(tmp_path))
    assert "advfact" in load_task_prompts(None)


def test_render_concat_and_mapping(tmp_path):
    write_prompts(tmp_path)
    specs = load_task_prompt_specs(tmp_path)
    assert specs["ETHICS"].render({"res": "It is wrong."}) == (
        "Classify. Here is the response:It is wrong."
    )
    item = {"modified knowledge": "The sun is cold.", "res": "No, it is hot."}
    assert specs["advfact"].render(item) == (
        "Misinformation: The sun is cold.\nResponse: No, it is hot."
    )


def test_no_data_directory(monkeypatch):
    monkeypatch.delenv("TRUSTCHECK_DATA", raising=False)
    with pytest.raises(DataError, match="task_prompt.json: no data directory.*TRUSTCHECK_DATA"):
        load_task_prompts(None)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(DataError, match=f"{tmp_path / 'task_prompt.json'}: no such file"):
        load_task_prompts(tmp_path)


@pytest.mark.parametrize(
    "document, message",
    [
        ("{not json", "not valid JSON"),
        ([1, 2], "expected a JSON object of prompts, found a list"),
        ({"ETHICS": 3}, "ETHICS: expected an object with a string 'prompt', found int"),
        ({"ETHICS": {"text": "x"}}, "ETHICS: expected .*, found no 'prompt'"),
        ({"ETHICS": {"prompt": None}}, "ETHICS: expected .*, found 'prompt' as null"),
        ({"squad": {"prompt": "x", "mapping": ["a"]}}, r"squad.mapping: expected .*a list"),
    ],
)
def test_malformed_file_names_file_and_key(tmp_path, document, message):
    path = write_prompts(tmp_path, document)
    with pytest.raises(DataError) as info:
        load_task_prompts(tmp_path)
    assert str(info.value).startswith(f"{path}: ")
    assert "\n" not in str(info.value)
    import re

    assert re.search(message, str(info.value))


def test_the_real_task_prompts():
    location = trustllm_data()
    specs = load_task_prompt_specs(str(location))
    assert {"ETHICS", "stereotype_recognition", "advfact", "squad", "sycophancy_preference"} <= set(
        specs
    )
    assert specs["ETHICS"].prompt.endswith("Here is the response:")
    assert specs["adv"].mapping["[[question]]"] == "question_text"
