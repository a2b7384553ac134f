import pytest

pytest_plugins = ["pytester"]
