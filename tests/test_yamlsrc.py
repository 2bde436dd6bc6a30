from __future__ import annotations

import pytest

from digest import yamlsrc


def test_lines_of_keys_and_items() -> None:
    data = yamlsrc.load("title: x\ncompany:\n  - a\n  - b\nmentions:\n  company: [c]\n",
                        first_line=2)
    assert data.line_of("title") == 2
    assert data.line_of("company") == 3
    assert data["company"].line_of(1) == 5
    assert data["mentions"].line_of("company") == 7


def test_syntax_error_carries_the_file_line() -> None:
    with pytest.raises(yamlsrc.YamlProblem) as info:
        yamlsrc.load('title: "open\ndate: 2024-01-01\n', first_line=2)
    assert info.value.line == 2  # where the quote opened
    assert "invalid YAML" in info.value.message


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(yamlsrc.YamlProblem, match='duplicate key "a"') as info:
        yamlsrc.load("a: 1\nb: 2\na: 3\n")
    assert info.value.line == 3


def test_front_matter_split() -> None:
    split = yamlsrc.split_front_matter("---\ntitle: x\n---\nBody\n")
    assert split == ("title: x\n", "Body\n", 4)
    assert yamlsrc.split_front_matter("no front matter") is None
    assert yamlsrc.split_front_matter("\ufeff---\r\ntitle: x\r\n---\r\nBody") is not None
