"""Login throttling that a stranger cannot use to lock an owner out: per (e-mail, address) together, per
address, and a high per-e-mail ceiling that only spaces attempts out (429 with a short Retry-After)."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI

from scenarist.server.auth import AuthKit
from scenarist.types import ManualClock
from tests.server.conftest import PASSWORD, client_to, running

API = "/api/v1"
VICTIM = "victim@example.com"
ATTACKER, OWNER = "203.0.113.7", "198.51.100.20"


async def attempt(client: httpx.AsyncClient, password: str = "wrong guess", email: str = VICTIM) -> httpx.Response:
    return await client.post(f"{API}/auth/login", json={"email": email, "password": password})


async def victim_account(app: FastAPI) -> None:
    async with client_to(app, ip="192.0.2.1") as signup:
        answer = await signup.post(f"{API}/auth/register", json={"email": VICTIM, "password": PASSWORD})
        assert answer.status_code == 201, answer.text


async def test_an_attacker_hammering_an_email_does_not_lock_the_owner_out(tmp_path: Path) -> None:
    async with running(tmp_path, clock=ManualClock()) as (app, _):
        await victim_account(app)
        async with client_to(app, ip=ATTACKER) as attacker, client_to(app, ip=OWNER) as owner:
            statuses = [(await attempt(attacker)).status_code for _ in range(25)]
            assert statuses[:5] == [401] * 5
            assert set(statuses[5:]) == {429}
            assert (await attempt(owner, PASSWORD)).status_code == 200


async def test_the_pair_limit_answers_429_with_retry_after(tmp_path: Path) -> None:
    clock = ManualClock()
    async with running(tmp_path, clock=clock) as (app, _):
        await victim_account(app)
        async with client_to(app, ip=ATTACKER) as attacker:
            for _ in range(5):
                await attempt(attacker)
            limited = await attempt(attacker, PASSWORD)
            assert limited.status_code == 429
            assert limited.json()["error"]["code"] == "too_many_requests"
            wait = int(limited.headers["retry-after"])
            assert 1 <= wait <= 300
            clock.advance(wait)
            assert (await attempt(attacker, PASSWORD)).status_code == 200


async def test_attempts_per_address_are_limited_whatever_the_email(tmp_path: Path) -> None:
    clock = ManualClock()
    async with running(tmp_path, clock=clock) as (app, _):
        await victim_account(app)
        async with client_to(app, ip=ATTACKER) as attacker, client_to(app, ip=OWNER) as owner:
            for n in range(30):
                assert (await attempt(attacker, email=f"user{n}@example.com")).status_code == 401
            limited = await attempt(attacker, email="user-next@example.com")
            assert limited.status_code == 429
            assert 1 <= int(limited.headers["retry-after"]) <= 60
            assert (await attempt(owner, PASSWORD)).status_code == 200


async def test_past_the_email_ceiling_attempts_are_spaced_out_not_refused(tmp_path: Path) -> None:
    clock = ManualClock()
    async with running(tmp_path, clock=clock) as (app, _):
        app.state.auth_kit = AuthKit(clock, per_email=10)
        await victim_account(app)
        for n in range(10):  # a guesser spread over many addresses
            async with client_to(app, ip=f"10.0.0.{n}") as bot:
                assert (await attempt(bot)).status_code == 401
        async with client_to(app, ip="10.0.1.1") as bot, client_to(app, ip=OWNER) as owner:
            assert (await attempt(bot)).status_code == 401
            spaced = await attempt(owner, PASSWORD)
            assert spaced.status_code == 429
            wait = int(spaced.headers["retry-after"])
            assert 1 <= wait <= 2
            clock.advance(wait)
            assert (await attempt(owner, PASSWORD)).status_code == 200


async def test_an_address_the_owner_logged_in_from_is_not_held_back_by_the_ceiling(tmp_path: Path) -> None:
    clock = ManualClock()
    async with running(tmp_path, clock=clock) as (app, _):
        app.state.auth_kit = AuthKit(clock, per_email=10)
        await victim_account(app)
        async with client_to(app, ip=OWNER) as owner:
            assert (await attempt(owner, PASSWORD)).status_code == 200
            for n in range(11):
                async with client_to(app, ip=f"10.0.0.{n}") as bot:
                    await attempt(bot)
            assert (await attempt(owner, PASSWORD)).status_code == 200
