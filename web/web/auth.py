"""Signing in and out: the gateway's token is kept in the server-side session, never in the page."""

from __future__ import annotations

import base64
import functools
import json
import secrets
import time
from urllib.parse import urlparse, urlsplit

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from . import labels
from .gateway import gateway, get, refresh_session, store_tokens

bp = Blueprint("auth", __name__)


def claims_of(token: str) -> dict:
    """The claims of a token the gateway just gave us (read only for display; the gateway checks it)."""
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


def current_user() -> dict | None:
    """The signed-in officer (name, agency, roles, permissions), or None; an expired access token is
    renewed with the session's refresh token first (the sign-in lasts the working day, a wall board's
    as long as it keeps refreshing)."""
    user = session.get("user")
    if not user:
        return None
    if session.get("expires_at", 0) <= time.time() and not refresh_session():
        return None
    return user


def can(permission: str) -> bool:
    """Whether the signed-in officer holds ``permission``."""
    user = current_user()
    return bool(user) and permission in user.get("permissions", [])


def login_required(view):
    """Send a visitor who is not signed in (or whose token expired) to the sign-in page."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_user() is None:
            if session.get("user"):
                flash(labels.status_message(401), "warning")
            session.pop("user", None)
            session.pop("token", None)
            return _to_login()
        return view(*args, **kwargs)

    return wrapper


def _to_login():
    target = url_for("auth.login", next=request.full_path.rstrip("?") if request.method == "GET" else None)
    if request.headers.get("HX-Request"):
        return "", 200, {"HX-Redirect": target}
    return redirect(target)


def back():
    """Back to the page the officer came from (this site's pages only, as a sign-in's ``next``)."""
    ref = urlparse(request.referrer or "")
    if ref.netloc and ref.netloc != request.host:
        return redirect(url_for("home"))
    target = (ref.path or "/") + (f"?{ref.query}" if ref.query else "")
    # Our own 404 page at //evil.example is a page of this site whose path leads to another one.
    return redirect(target if _is_local_path(target) else url_for("home"))


def _is_local_path(target: str | None) -> bool:
    """Whether ``target`` is a path of this site, which no browser may read as another site's address.

    Browsers drop tabs and line breaks inside a URL and read a backslash as a slash, so ``/%09/evil.example``
    or ``/%5cevil.example`` lead to another site: any whitespace, control character or backslash is refused."""
    if not target or any(c.isspace() or c == "\\" or ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return False
    if not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not (parts.scheme or parts.netloc)


def _safe_next(target: str | None) -> str:
    """``target`` when it is a path of this site other than the sign-in itself, else the home page."""
    if not _is_local_path(target) or (target or "").startswith("/login"):
        return url_for("home")
    return target or url_for("home")


def _check_csrf() -> None:
    """The sign-in form's token, as every other form's (a sign-in forged by another site is refused too)."""
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token")
    expected = session.get("csrf")
    if not sent or not expected or not secrets.compare_digest(sent, expected):
        abort(400, "csrf")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; a successful sign-in keeps the token in the session only."""
    if request.method == "POST":
        _check_csrf()
    session.setdefault("csrf", secrets.token_urlsafe(32))
    error = None
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        if not username or not password:
            error = _("Nhập tên đăng nhập và mật khẩu.")
        else:
            body = {"grant_type": "password", "username": username, "password": password}
            if request.form.get("wall_board") == "1":  # /login?wall_board=1: a wall board stays signed in
                body["wall_board"] = True
            answer = gateway().call("POST", "/auth/token", json=body)
            if answer.ok:
                _start_session(answer.data)
                return redirect(_safe_next(request.args.get("next")))
            code = (answer.problem or {}).get("code")
            if code == "account_locked":
                error = _("Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau.")
            elif answer.status in (400, 401, 422):
                error = _("Tên đăng nhập hoặc mật khẩu không đúng.")
            else:
                error = labels.status_message(answer.status)
    return render_template("login.html", error=error, username=username), (401 if error else 200)


def _start_session(data: dict) -> None:
    lang = session.get("lang")
    session.clear()
    claims = claims_of(data["access_token"])
    store_tokens(data)
    session["csrf"] = secrets.token_urlsafe(32)
    if lang:
        session["lang"] = lang
    user = {
        "officer": claims.get("officer"),
        "name": claims.get("name") or claims.get("sub"),
        "roles": list(claims.get("roles") or []),
        "kind": data.get("kind"),
        "unit": data.get("unit"),
        "permissions": list(data.get("permissions") or []),
        "agency": None,
        "agency_name": None,
        "title": None,
    }
    session["user"] = user
    # A new session id at sign-in: an id planted before it (session fixation) leads nowhere.
    current_app.session_interface.regenerate(session)
    if user["officer"] and "roster:read" in user["permissions"]:
        officer = get(f"/roster/officers/{user['officer']}")
        if officer.ok and isinstance(officer.data, dict):
            user.update(
                agency=officer.data.get("agency"),
                agency_name=officer.data.get("agency_name"),
                title=officer.data.get("title") or None,
            )
            session["user"] = user


@bp.post("/logout")
def logout():
    """Forget the token and the officer; the refresh token's family ends at the gateway too."""
    refresh_token = session.get("refresh_token")
    if refresh_token:
        gateway().call("POST", "/auth/revoke", json={"token": refresh_token})
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("Bạn đã đăng xuất."), "info")
    current_app.session_interface.regenerate(session)
    return redirect(url_for("auth.login"))


def init_app(app) -> None:
    """The home page, template helpers, and signing out when the gateway says the token is dead."""

    @app.get("/")
    @login_required
    def home():
        if can("visits:write"):
            return redirect(url_for("desk.new_visit"))
        if can("cases:read"):
            return redirect(url_for("board.board"))
        return redirect(url_for("inbox.inbox"))

    @app.after_request
    def _expired(response):
        if g.get("session_expired"):
            session.pop("user", None)
            session.pop("token", None)
            flash(labels.status_message(401), "warning")
            return app.make_response(_to_login())
        return response

    @app.after_request
    def _no_store(response):
        # Pages carry citizens' data: a shared computer's browser or a proxy must keep no copy.
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response

    @app.context_processor
    def _helpers():
        return {"current_user": current_user(), "can": can, "labels": labels, "csrf_token": session.get("csrf", "")}
