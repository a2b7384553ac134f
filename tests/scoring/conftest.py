from pathlib import Path

import pytest
from scoring_support import write_prompts


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data directory whose parent holds task_prompt.json, as beside an unpacked dataset."""
    directory = tmp_path / "dataset"
    directory.mkdir()
    write_prompts(tmp_path)
    return directory
