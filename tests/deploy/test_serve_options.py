"""``serve --base-url URL`` and ``--trusted-proxies N`` (docs/deploy.md, "Replicas behind a
balancer"): a wrong value stops ``serve`` before anything starts, exit 1 with the reason."""

from __future__ import annotations

import pytest

from enlargement_kg.cli import main


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--base-url", "kg.example.org/"], "absolute http(s) URL"),
        (["--base-url", "/relative/"], "absolute http(s) URL"),
        (["--base-url", "ftp://kg.example.org/"], "absolute http(s) URL"),
        (["--base-url", "https://kg.example.org"], "ending in '/'"),
        (["--base-url", "https:///path/"], "absolute http(s) URL"),
        (["--base-url", "https://kg.example.org/?a=1/"], "no query"),
        (["--trusted-proxies", "-1"], "0 or more"),
    ],
)
def test_a_wrong_proxy_setting_exits_1_with_the_reason(args, reason, capsys):
    assert main(["serve", "--port", "1", *args]) == 1
    err = capsys.readouterr().err
    assert err.startswith("enlargement-kg serve: ") and reason in err, err
