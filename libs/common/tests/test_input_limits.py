"""Hostile and careless bodies at every service: nesting depth, media types (issue #23)."""

import json

import pytest
from flask import Flask, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from tiepdan_common.config import load_settings
from tiepdan_common.db import Database
from tiepdan_common.limits import accepts, nesting_error
from tiepdan_common.testing import TEST_IDENTITY_KEY, identity_headers
from tiepdan_common.web import ProblemApi, init_service_app, require

DEEP = 100_000


class ThingIn(Schema):
    name = fields.String(required=True)
    tags = fields.Raw(load_default=None)


class InboundIn(Schema):
    name = fields.String(load_default=None)


@pytest.fixture
def client(tmp_path):
    settings = load_settings("t", {"identity_keys": (TEST_IDENTITY_KEY,)})
    app = Flask("t")
    init_service_app(app, settings=settings, db=Database(f"sqlite:///{tmp_path / 't.db'}"))
    api = ProblemApi(app, spec_kwargs={"title": "t", "version": "1", "openapi_version": "3.1.0"})
    blp = Blueprint("things", __name__)

    @blp.post("/things")
    @require("things:write")
    @blp.arguments(ThingIn)
    def create(data):
        return {"name": data["name"]}, 201

    @blp.post("/things/<int:thing_id>/close")
    @require("things:write")
    def close(thing_id):
        return {"closed": thing_id}

    @blp.post("/raw")
    @require("things:write")
    def raw():
        return {"got": request.get_json(force=True, silent=False) is not None}

    @blp.post("/inbound")
    @require("things:write")
    @accepts("application/x-www-form-urlencoded")
    @blp.arguments(InboundIn)
    def inbound(data):
        return {"name": request.form.get("name") if request.form else data["name"]}

    @blp.post("/public")
    @blp.arguments(InboundIn)
    def public(data):
        return {"name": request.form.get("name") if request.form else data["name"]}

    api.register_blueprint(blp)
    app.extensions["tiepdan"]["api"] = api
    return app.test_client()


@pytest.fixture
def headers():
    return identity_headers(permissions=("things:write",))


def test_a_hundred_thousand_brackets_at_the_top_are_a_400_naming_the_body(client, headers):
    for body in ("[" * DEEP + "]" * DEEP, "{" * DEEP):
        resp = client.post("/things", data=body, headers=headers, content_type="application/json")
        assert resp.status_code == 400, resp.data[:200]
        assert resp.mimetype == "application/problem+json"
        assert resp.json["code"] == "json_too_deep"
        assert resp.json["errors"][0]["field"] == "body"


def test_deep_nesting_inside_a_field_names_the_field(client, headers):
    body = '{"name": "a", "tags": ' + "[" * DEEP + "]" * DEEP + "}"
    resp = client.post("/things", data=body, headers=headers, content_type="application/json")
    assert resp.status_code == 400
    assert resp.json["errors"] == [{"field": "tags", "message": "nested deeper than 32 levels"}]


def test_deep_nesting_on_a_route_that_parses_the_body_itself(client, headers):
    resp = client.post("/raw", data="[" * DEEP + "]" * DEEP, headers=headers, content_type="application/json")
    assert resp.status_code == 400 and resp.json["code"] == "json_too_deep"


def test_ordinary_nesting_and_brackets_inside_strings_pass(client, headers):
    body = {"name": "[[[[{{{{" * 50, "tags": [[[["x"]]]] * 40}
    resp = client.post("/things", json=body, headers=headers)
    assert resp.status_code == 201 and resp.json["name"] == body["name"]


@pytest.mark.parametrize("depth, expected", [(32, None), (33, "body")])
def test_the_scanner_counts_exactly(depth, expected):
    assert nesting_error(("[" * depth + "]" * depth).encode(), 32) == expected
    assert nesting_error(b'{"a\\"[[[[": ' + b"[" * 40 + b"]" * 40 + b"}", 32) == 'a"[[[['


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data; boundary=x", None],
)
def test_a_json_write_with_another_media_type_is_415(client, headers, content_type):
    body = json.dumps({"name": "x"})
    resp = client.post("/things", data=body, headers=headers, content_type=content_type)
    assert resp.status_code == 415, (content_type, resp.status_code)
    assert resp.mimetype == "application/problem+json"
    assert resp.json["code"] == "unsupported_media_type"
    assert "application/json" in resp.json["detail"]


def test_json_with_a_charset_or_a_plus_json_type_is_accepted(client, headers):
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        resp = client.post("/things", data='{"name": "x"}', headers=headers, content_type=content_type)
        assert resp.status_code == 201, content_type


def test_an_action_without_a_body_takes_a_post_without_one(client, headers):
    assert client.post("/things/3/close", headers=headers).json == {"closed": 3}
    assert client.post("/things/3/close", headers=headers, json={}).json == {"closed": 3}


def test_a_view_may_accept_a_form_too(client, headers):
    resp = client.post("/inbound", data={"name": "x"}, headers=headers)
    assert resp.status_code == 200 and resp.json == {"name": "x"}
    refused = client.post("/inbound", data="name=x", headers=headers, content_type="text/plain")
    assert refused.status_code == 415
    assert "application/x-www-form-urlencoded" in refused.json["detail"]


def test_a_public_json_view_takes_a_form_as_providers_post_them(client):
    form = client.post("/public", data={"name": "x"}, headers=identity_headers())
    assert form.status_code == 200 and form.json == {"name": "x"}
    assert (
        client.post("/public", data="<x/>", headers=identity_headers(), content_type="application/xml").status_code
        == 415
    )


def test_the_api_document_states_each_operation_s_permission(client):
    paths = client.application.extensions["tiepdan"]["api"].spec.to_dict()["paths"]
    assert paths["/things"]["post"]["x-tiepdan-permission"] == "things:write"
    assert paths["/things/{thing_id}/close"]["post"]["x-tiepdan-permission"] == "things:write"
    assert "x-tiepdan-permission" not in paths["/public"]["post"]


@pytest.mark.parametrize("escape", ["\\u0000", "\\u001b", "\\u007F", "\\u0085", "\\b", "\\f"])
def test_control_characters_in_any_string_are_422_naming_the_field(client, headers, escape):
    body = '{"name": "a", "tags": {"event": "x' + escape + 'y"}}'
    resp = client.post("/things", data=body, headers=headers, content_type="application/json")
    assert resp.status_code == 422, resp.data[:200]
    assert resp.json["errors"] == [{"field": "tags", "message": "Contains control characters."}]


def test_tabs_line_breaks_and_escaped_backslashes_pass(client, headers):
    body = '{"name": "a\\tb\\nc\\r\\u0009\\\\u0000 \\\\\\\\b", "tags": "\\\\f"}'
    resp = client.post("/things", data=body, headers=headers, content_type="application/json")
    assert resp.status_code == 201, resp.data[:300]
    assert resp.json["name"] == "a\tb\nc\r\t\\u0000 \\\\b"
