"""tiepdan web: the reception board's dashboard, a client of the gateway like any other."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Mapping
from typing import Any

from cachelib import FileSystemCache
from flask import Flask, abort, g, jsonify, render_template, request, session
from flask_babel import Babel
from flask_babel import gettext as _
from flask_session import Session
from werkzeug.exceptions import HTTPException

from tiepdan_common.clock import LOCAL
from tiepdan_common.context import new_id, request_id_var
from tiepdan_common.logging import configure_logging

from . import (
    auth,
    board,
    cases,
    casework,
    corrections,
    desk,
    formatting,
    home,
    inbox,
    notices,
    official,
    petition_page,
    petitions,
    police,
    province,
    reference,
    register,
    reports,
    today,
)
from .config import load_settings
from .gateway import Gateway

access_log = logging.getLogger("tiepdan.access")
LANGUAGES = ("vi", "en")


def _locale() -> str:
    """Vietnamese unless the officer chose English."""
    return session.get("lang") if session.get("lang") in LANGUAGES else "vi"


def _init_sessions(app: Flask) -> None:
    if app.config["SESSION_TYPE"] == "redis":
        import redis

        app.config["SESSION_REDIS"] = redis.from_url(app.config["SESSION_REDIS_URL"])
    elif "SESSION_CACHELIB" not in app.config:
        app.config["SESSION_CACHELIB"] = FileSystemCache(app.config["SESSION_DIR"], threshold=5000)
    Session(app)


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """The dashboard's Flask app: sessions on the server, Vietnamese first, every screen registered.

    ``overrides`` are settings by field name (``{"gateway_url": ..., "session_dir": ...}``); the rest
    comes from the environment, checked here so that a bad value stops the start naming its variable.
    """
    settings = load_settings(overrides)
    app = Flask("web")
    app.config.update(settings.flask_config())
    configure_logging("web", settings.log_level)
    _init_sessions(app)
    Babel(app, locale_selector=_locale, timezone_selector=lambda: LOCAL.key)
    app.extensions["tiepdan_web"] = {
        "settings": settings,
        "gateway": Gateway(settings.gateway_url, settings.gateway_timeout),
        "reference": {},
    }
    formatting.init_app(app)

    @app.context_processor
    def _office():
        # The header names the People's Committee of the signed-in officer's unit, from the unit data.
        user = session.get("user") or {}
        return {"office_name": reference.office_name(user.get("unit")) if user.get("unit") else ""}

    @app.before_request
    def _context():
        g.started = time.perf_counter()
        g.request_id = (request.headers.get("X-Request-ID") or new_id())[:100]
        request_id_var.set(g.request_id)
        # Every form asks its token; the sign-in form checks its own (auth.login) before anything else.
        if request.method == "POST" and request.endpoint != "auth.login":
            sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token")
            if not sent or not secrets.compare_digest(sent, session.get("csrf", "")):
                abort(400, "csrf")

    @app.after_request
    def _after(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        )
        if request.path != "/livez":
            access_log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 2),
                    "officer": (session.get("user") or {}).get("officer"),
                },
            )
        return response

    @app.errorhandler(400)
    def _bad_request(_error):
        message = _(
            "Biểu mẫu này đã hết hiệu lực (có thể do mở quá lâu hoặc đã đăng nhập lại). "
            "Vui lòng tải lại trang và làm lại."
        )
        return render_template("error.html", title=_("Trang đã cũ"), message=message), 400

    @app.errorhandler(404)
    def _not_found(_error):
        return render_template(
            "error.html", title=_("Không tìm thấy trang"), message=_("Địa chỉ này không có trên hệ thống.")
        ), 404

    @app.errorhandler(500)
    def _internal(_error):
        return render_template(
            "error.html",
            title=_("Có lỗi xảy ra"),
            message=_("Hệ thống gặp sự cố khi hiển thị trang này. Vui lòng thử lại sau."),
        ), 500

    @app.errorhandler(HTTPException)
    def _other_error(error):
        # Werkzeug's own pages for the other codes (405, 413, ...) are English: the same in the officer's words.
        allow = {k: v for k, v in error.get_headers() if k.lower() == "allow"}
        return (
            render_template(
                "error.html",
                title=_("Yêu cầu không hợp lệ"),
                message=_("Trang này không nhận yêu cầu như vậy. Vui lòng quay lại trang trước."),
            ),
            error.code or 400,
            allow,
        )

    @app.get("/livez")
    def livez():
        return jsonify(status="ok", service="web")

    @app.post("/lang/<code>")
    def set_language(code):
        if code in LANGUAGES:
            session["lang"] = code
        return auth.back()

    for module in (
        auth,
        desk,
        register,
        petitions,
        petition_page,
        today,
        board,
        cases,
        casework,
        province,
        inbox,
        reports,
        notices,
        police,
        corrections,
    ):
        app.register_blueprint(module.bp)
    app.register_blueprint(official.bp)  # official registers and reports (issue 24)
    from .admin import bp as admin_bp  # reference data for administrators (issue 22)

    app.register_blueprint(admin_bp)
    auth.init_app(app)
    home.init_app(app)  # the home page is today at a glance
    return app
