"""The API's documentation: a public schema and a Swagger UI page that runs under the strict
Content-Security-Policy with every asset served by us, and that tells how to authenticate."""

import re

import pytest
import yaml

pytestmark = pytest.mark.django_db

DOCS = "/api/docs/"
SCHEMA = "/api/schema/"


def test_docs_page_needs_no_inline_script_or_style(client):
    response = client.get(DOCS)

    assert response.status_code == 200
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    # Every script has a source, and there is no <style> element or style attribute.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)


def test_docs_assets_are_served_from_our_own_static_files(client):
    html = client.get(DOCS).content.decode()

    urls = re.findall(r'(?:src|href)="([^"]+)"', html)

    assert len(urls) >= 5  # favicon, two stylesheets, three scripts
    for url in urls:
        assert not re.match(r"(https?:)?//", url), f"{url} is not on our own origin"
    assets = [url for url in urls if url.startswith("/static/")]
    assert any("swagger-ui-bundle.js" in url for url in assets)
    for url in assets:
        asset = client.get(url)
        assert asset.status_code == 200, url
        asset.close()


def test_docs_start_up_script_comes_from_the_same_url(client):
    html = client.get(DOCS).content.decode()
    script_url = next(url for url in re.findall(r'<script src="([^"]+)"', html) if url.startswith(DOCS))

    response = client.get(script_url.replace("&amp;", "&"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    script = response.content.decode()
    assert "SwaggerUIBundle(" in script
    assert '"/api/schema/"' in script


@pytest.mark.parametrize("headers", [{}, {"authorization": "Bearer wb_stale_token"}, {"authorization": "Basic eDp5"}])
def test_docs_and_schema_are_public_whatever_the_credentials(client, headers):
    assert client.get(DOCS, headers=headers).status_code == 200
    assert client.get(SCHEMA, headers=headers).status_code == 200


def test_schema_explains_bearer_tokens_and_the_error_format(client):
    response = client.get(SCHEMA)

    schema = yaml.safe_load(response.content)
    assert schema["components"]["securitySchemes"]["personalAccessToken"]["scheme"] == "bearer"
    assert "Authorization: Bearer wb_" in schema["info"]["description"]
    invite = schema["paths"]["/api/v1/memberships/"]["post"]
    assert {"201", "400", "401", "403", "413", "415"} <= set(invite["responses"])
    assert invite["responses"]["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert schema["paths"]["/api/v1/tokens/{id}/revoke/"]["post"]["parameters"][0]["schema"]["format"] == "uuid"


def test_schema_can_be_fetched_as_json(client):
    response = client.get(SCHEMA, {"format": "json"})

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Weerbaar API"


def test_unknown_api_paths_answer_in_the_error_format(client):
    response = client.get("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
