"""Paths under /api/ that no operation serves get the API's JSON 404."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/nope", "/api/raffles/1/nope/", "/api/v2/"])
def test_unknown_api_paths_get_the_api_json_404(client, path: str) -> None:
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["code"] == "not_found"
