"""The simulated users of `make bench-web`. scripts/bench_web.py writes the plan (BENCH_WEB_PLAN: the
pages, each role's logins and how many users of each kind) and runs Locust on this file; it runs
in .venv-tools, so nothing here imports Django.

A portal user signs in through the login form, and with a code of its own TOTP device through
/login/code/ when its role needs a second factor, then opens its role's pages in turn with a think
time between them. An API client calls the API lists with `Authorization: Token` keys of a
supplier and a core firm. Any answer but 200 (a redirect to the login page included) is a failure."""

import hashlib
import hmac
import itertools
import json
import os
import random
import re
import time
from pathlib import Path

from locust import FastHttpUser, between, task

PLAN = json.loads(Path(os.environ["BENCH_WEB_PLAN"]).read_text())
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOTP_STEP_SECONDS, TOTP_DIGITS = 30, 6  # django_otp's TOTPDevice defaults
LOGINS = {role: itertools.cycle(logins) for role, logins in PLAN["logins"].items()}


def totp(key_hex: str) -> str:
    """RFC 6238 with SHA-1, as django_otp.oath.totp computes it for a device's hex key."""
    counter = int(time.time()) // TOTP_STEP_SECONDS
    digest = hmac.new(bytes.fromhex(key_hex), counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(int.from_bytes(digest[offset:offset + 4], 'big') & 0x7FFFFFFF) % 10**TOTP_DIGITS:0{TOTP_DIGITS}d}"


def pages_of(role: str, *, api: bool) -> list[dict]:
    return [page for page in PLAN["pages"] if page["api"] == api and (api or page["role"] == role)]


class PlanUser(FastHttpUser):
    abstract = True
    wait_time = between(*PLAN["think_seconds"])

    def on_start(self):
        pages = self.pages()
        random.shuffle(pages)  # users of a role do not all open the same page at the same moment
        self.rotation = itertools.cycle(pages)

    def expect_ok(self, path: str, name: str, **kwargs):
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True, **kwargs) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}")
            return response


class PortalUser(PlanUser):
    abstract = True
    role = ""

    def pages(self) -> list[dict]:
        return pages_of(self.role, api=False)

    def on_start(self):
        super().on_start()
        self.login = next(LOGINS[self.role])
        self.post_form("/login/", "sign-in", {"username": self.login["username"], "password": PLAN["password"]})
        if self.login["totp_key"]:
            self.post_form("/login/code/", "sign-in code", {"code": totp(self.login["totp_key"])})

    def post_form(self, path: str, name: str, fields: dict) -> None:
        form = self.expect_ok(path, name)
        token = CSRF_FIELD.search(form.text or "")
        data = fields | {"csrfmiddlewaretoken": token.group(1) if token else ""}
        with self.client.post(path, data=data, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"{self.login['username']} not signed in: {response.status_code}")

    @task
    def open_page(self):
        page = next(self.rotation)
        self.expect_ok(page["path"], page["label"])


class SupplierUser(PortalUser):
    role = "supplier"
    fixed_count = PLAN["users"].get("supplier", 0)


class CoreFirmUser(PortalUser):
    role = "core_firm"
    fixed_count = PLAN["users"].get("core_firm", 0)


class LenderUser(PortalUser):
    role = "lender"
    fixed_count = PLAN["users"].get("lender", 0)


class OperatorUser(PortalUser):
    role = "admin"
    fixed_count = PLAN["users"].get("admin", 0)


class ApiClient(PlanUser):
    """An ERP: the API lists, with the key of an organisation of the page's role."""

    fixed_count = PLAN["users"].get("api", 0)

    def pages(self) -> list[dict]:
        return pages_of("", api=True)

    def on_start(self):
        super().on_start()
        self.keys = {role: next(LOGINS[role])["api_key"] for role in {page["role"] for page in self.pages()}}

    @task
    def call_list(self):
        page = next(self.rotation)
        self.expect_ok(page["path"], page["label"], headers={"Authorization": f"Token {self.keys[page['role']]}"})
