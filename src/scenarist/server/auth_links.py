"""Sign-in by e-mailed link: ``POST /auth/email-link`` and ``GET /auth/email-link/{token}`` (contract section 12).

- The request answers 202 ``{}`` in every case, and does the same work in
  every case: it neither looks the address up nor says whether it has an
  account. It stores the SHA-256 of a new token (256 random bits) and queues
  the e-mail with the link in one transaction (the link's text is sealed in
  the queue, ``scenarist.mail``). It is rate-limited per address and per client.
- Following the link (once, within 15 minutes) starts a session (a new id),
  sets its cookie and answers 303 to ``/``; the first use of an address
  creates its account, with no password. A used, expired or unknown token
  answers 410 and sets no cookie: an HTML page for a browser, the API's error
  body otherwise.
"""

from __future__ import annotations

import html
import secrets
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.responses import HTMLResponse, JSONResponse

from scenarist.mail import Message
from scenarist.server.auth import LIMITED, EmailOnly, Kit, cookie, is_secure, new_session
from scenarist.server.deps import runtime
from scenarist.server.errors import error_response
from scenarist.server.security import LOGGED_ACCOUNT, SESSION_COOKIE, digest
from scenarist.store.ports import AccountRecord, EmailLinkRecord
from scenarist.types import new_id

router = APIRouter()

LINK_MINUTES = 15
LINK_PATH = "/api/v1/auth/email-link/"
GONE = "This sign-in link was used already or has expired. Ask for a new one on the login page."
GONE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign-in link expired - Scenarist</title></head>
<body><main><h1>This sign-in link cannot be used</h1>
<p role="alert">{message}</p>
<p><a href="/login">Log in</a></p></main></body></html>
"""


@router.post("/auth/email-link", status_code=202, responses=LIMITED)
async def request_email_link(body: EmailOnly, request: Request, auth_kit: Kit) -> dict[str, Any]:
    """E-mail a single-use sign-in link, valid 15 minutes; 202 ``{}`` whether or not the address has an
    account (its first use creates one). Rate-limited per address and per client (429 with Retry-After)."""
    rt = runtime(request)
    auth_kit.admit_link(_client(request), body.email.lower())
    token = secrets.token_urlsafe(32)
    now = rt.clock.now()
    expires = now + timedelta(minutes=LINK_MINUTES)
    link = rt.settings.public_url.rstrip("/") + LINK_PATH + token
    mail = rt.mail.compose(_message(body.email, link), discard_after=expires)
    await rt.store.create_email_link(
        EmailLinkRecord(token_hash=digest(token), email=body.email, created_at=now, expires_at=expires), mail)
    rt.mail.wake()
    return {}


@router.get("/auth/email-link/{token}", status_code=303, response_class=Response,
            responses={303: {"description": "Signed in: the session cookie is set; `Location` is the app."},
                       410: {"description": "The link was used already, has expired, or never existed."}})
async def follow_email_link(token: str, request: Request) -> Response:
    """Sign in with an e-mailed link (once, within 15 minutes): a new session and its cookie, 303 to ``/``.
    The first use of an address creates its account, with no password. 410, and no cookie, otherwise."""
    rt = runtime(request)
    now = rt.clock.now()
    email = await rt.store.use_email_link(digest(token), now) if len(token) <= 256 else None
    if email is None:
        return _gone(request)
    account = await rt.store.get_account_by_email(email)
    if account is None:
        created = AccountRecord(id=new_id(), email=email, password_hash=None, created_at=now)
        account = created if await rt.store.create_account(created) else await rt.store.get_account_by_email(email)
    if account is None:  # created and erased between two statements
        return _gone(request)
    # the address's first proof: whoever registered it before its owner (a password, sessions, API tokens)
    # keeps nothing; the owner can set a password on the account page
    await rt.store.prove_email(account.id, now)
    session_id, _ = await new_session(request, account.id)
    request.scope["state"][LOGGED_ACCOUNT] = account.id
    answer = Response(status_code=303, headers={"Location": "/"})
    answer.headers.append("set-cookie", cookie(SESSION_COOKIE, session_id, secure=is_secure(request)))
    return answer


def _gone(request: Request) -> Response:
    if "text/html" in request.headers.get("accept", ""):
        return HTMLResponse(GONE_PAGE.format(message=html.escape(GONE)), status_code=410)
    answer: JSONResponse = error_response(410, "gone", GONE)
    return answer


def _client(request: Request) -> str:
    return str(request.scope.get("state", {}).get("client_ip") or "unknown")


def _message(email: str, link: str) -> Message:
    text = (
        "Hello,\n\n"
        "follow this link to sign in to Scenarist. If you have no account yet, it creates one for this "
        "address:\n\n"
        f"{link}\n\n"
        f"The link works once, within {LINK_MINUTES} minutes. If you did not ask for it, ignore this e-mail: "
        "nothing happens without the link.\n"
    )
    href = html.escape(link, quote=True)
    body = (
        "<!doctype html><html><body>"
        "<p>Hello,</p>"
        "<p>follow this link to sign in to Scenarist. If you have no account yet, it creates one for this "
        "address:</p>"
        f'<p><a href="{href}">Sign in to Scenarist</a></p>'
        f"<p>The link works once, within {LINK_MINUTES} minutes. If you did not ask for it, ignore this e-mail: "
        "nothing happens without the link.</p>"
        "</body></html>"
    )
    return Message(to=email, subject="Your sign-in link for Scenarist", text=text, html=body)
