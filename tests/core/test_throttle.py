"""Brute force: sign-ins (the login page and the admin's), password reset mails, API rates and API tokens.

Story: someone tries password after password on Peru's coordinator's account, first from one address, then
from another; the coordinator, meanwhile, keeps her own token and her own account.
"""

import importlib

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from sirbi.core.models import ApiToken

LOGIN = "/es/accounts/login/"
ADMIN_LOGIN = "/es/admin/login/"


def try_password(path, username, password, address="203.0.113.5"):
    client = Client(REMOTE_ADDR=address)
    response = client.post(path, {"username": username, "password": password})
    return client, response


def signed_in(client):
    return client.get("/es/platform/account/token/").status_code == 200


@pytest.mark.parametrize("path", [LOGIN, ADMIN_LOGIN])
def test_thirty_wrong_passwords_lock_the_account(path, coordinator_pe):
    coordinator_pe.is_staff = True
    coordinator_pe.save()
    for _attempt in range(30):
        try_password(path, "coord_pe", "guess")
    client, response = try_password(path, "coord_pe", "pw-coord_pe")
    assert response.status_code == 429
    assert not signed_in(client)
    text = response.content.decode()
    assert "Try again in 15 minutes" in text or "Vuelva a intentarlo en 15 minutos" in text, text
    assert response["Retry-After"] == "900"


def test_the_lockout_reads_in_the_visitors_language(coordinator_pe):
    for _attempt in range(10):
        try_password("/en/accounts/login/", "coord_pe", "guess")
    _client, response = try_password("/en/accounts/login/", "coord_pe", "pw-coord_pe")
    assert response.status_code == 429 and "Try again in 15 minutes, after" in response.content.decode()
    _client, response = try_password("/pt/accounts/login/", "coord_pe", "pw-coord_pe")
    assert "Tente novamente em 15 minutos" in response.content.decode()


def test_a_second_address_hitting_the_same_account_is_refused_too(coordinator_pe, coordinator_cl):
    for _attempt in range(10):
        try_password(LOGIN, "coord_pe", "guess", address="203.0.113.5")
    client, response = try_password(LOGIN, "coord_pe", "pw-coord_pe", address="198.51.100.7")
    assert response.status_code == 429 and not signed_in(client)
    # The first address may not go on with another account either; others, elsewhere, sign in as usual.
    _client, response = try_password(LOGIN, "coord_cl", "pw-coord_cl", address="203.0.113.5")
    assert response.status_code == 429
    client, response = try_password(LOGIN, "coord_cl", "pw-coord_cl", address="198.51.100.7")
    assert response.status_code == 302 and signed_in(client)


def test_a_few_typos_do_not_lock_anyone_and_a_success_forgets_them(coordinator_pe):
    for _round in range(3):
        for _attempt in range(9):
            try_password(LOGIN, "coord_pe", "typo")
        client, response = try_password(LOGIN, "coord_pe", "pw-coord_pe")
        assert response.status_code == 302 and signed_in(client)


def test_reset_mails_stop_after_the_limit_per_address_and_per_email(coordinator_pe, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for attempt in range(20):  # 20 requests for one e-mail, from 20 addresses
        Client(REMOTE_ADDR=f"198.51.100.{attempt}").post("/es/accounts/password_reset/",
                                                          {"email": "coord_pe@example.org"})
    assert len(mail.outbox) == settings.PASSWORD_RESET_LIMIT == 5
    # One address asking for many e-mails is stopped, with when to try again.
    client = Client(REMOTE_ADDR="203.0.113.9")
    answers = [client.post("/es/accounts/password_reset/", {"email": f"x{n}@example.org"}) for n in range(6)]
    assert [a.status_code for a in answers] == [302] * 5 + [429]
    assert "Try again after" in answers[-1].content.decode() or "Inténtelo de nuevo" in answers[-1].content.decode()


def test_the_api_answers_429_past_its_rates(settings, coordinator_pe, lima_library):
    settings.API_THROTTLE_RATES = {"anonymous": "3/minute", "user": "5/minute", "write": "2/minute"}
    client = Client(REMOTE_ADDR="203.0.113.20")
    codes = [client.get("/api/v1/countries/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    answer = client.get("/api/v1/countries/")
    assert answer.status_code == 429 and int(answer["Retry-After"]) > 0
    # Writes are stricter than reads, per account.
    key = ApiToken.issue(coordinator_pe)
    writer = Client(REMOTE_ADDR="203.0.113.21", HTTP_AUTHORIZATION=f"Token {key}")
    version = writer.get(f"/api/v1/libraries/{lima_library.pk}/").json()["version"]
    codes = []
    for phone in ("1", "2", "3"):
        response = writer.patch(f"/api/v1/libraries/{lima_library.pk}/", {"phone": phone, "version": version},
                                content_type="application/json")
        codes.append(response.status_code)
        version = response.json().get("version", version)
    assert codes == [200, 200, 429]


def test_wrong_tokens_are_throttled_per_address(coordinator_pe):
    key = ApiToken.issue(coordinator_pe)
    for attempt in range(10):
        response = Client(REMOTE_ADDR="203.0.113.30").get(
            "/api/v1/countries/", HTTP_AUTHORIZATION=f"Token {attempt:040x}")
        assert response.status_code == 401
    # The right key is no longer even looked at from there; from elsewhere it works.
    assert Client(REMOTE_ADDR="203.0.113.30").get(
        "/api/v1/countries/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 429
    assert Client(REMOTE_ADDR="203.0.113.31").get(
        "/api/v1/countries/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_tokens_are_stored_hashed_and_still_authenticate(coordinator_pe, lima_library):
    key = ApiToken.issue(coordinator_pe)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_apitoken")
        stored = " ".join(str(column) for row in cursor.fetchall() for column in row)
    assert key not in stored and key[8:] not in stored
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    version = client.get(f"/api/v1/libraries/{lima_library.pk}/").json()["version"]
    response = client.patch(f"/api/v1/libraries/{lima_library.pk}/", {"phone": "+51 1 000", "version": version},
                            content_type="application/json")
    assert response.status_code == 200, response.content


def test_the_token_page_shows_a_new_key_once(as_user, coordinator_pe):
    client = as_user(coordinator_pe)
    response = client.post("/es/platform/account/token/new/")
    page = response.content.decode()
    key = page.split('<code class="token">')[1].split("<")[0]
    assert len(key) == 40 and response["Cache-Control"] == "no-store"
    assert ApiToken.objects.get(user=coordinator_pe).digest == ApiToken.digest_of(key)
    again = client.get("/es/platform/account/token/").content.decode()
    assert key not in again and key[:8] in again


def test_keys_made_before_hashing_keep_working(coordinator_pe, lima_library):
    """Migration 0004 turns REST framework's clear keys into digests and drops the old table."""
    legacy_key = "401f7ac837da42b97f613d789819ff93537bee6a"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id bigint NOT NULL, "
                       "created timestamp with time zone NOT NULL)" if connection.vendor == "postgresql" else
                       "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id bigint NOT NULL, "
                       "created datetime NOT NULL)")
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)",
                       [legacy_key, coordinator_pe.pk, "2026-01-01 00:00:00+00:00"])
    migration = importlib.import_module("sirbi.core.migrations.0004_api_tokens")
    from django.apps import apps

    class Editor:  # what the migration uses of a schema editor (SQLite's cannot open inside a test's transaction)
        sql_delete_table = "DROP TABLE %(table)s"
        quote_name = staticmethod(connection.ops.quote_name)

        def execute(self, sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    Editor.connection = connection
    migration.hash_legacy_tokens(apps, Editor())
    assert "authtoken_token" not in connection.introspection.table_names()
    response = Client(HTTP_AUTHORIZATION=f"Token {legacy_key}").get("/api/v1/countries/PE/")
    assert response.status_code == 200
    assert ApiToken.objects.get(user=coordinator_pe).prefix == legacy_key[:8]


def test_signing_in_to_ones_own_account_does_not_clear_guesses_at_another(coordinator_pe, coordinator_cl):
    for _round in range(2):
        for _attempt in range(6):
            try_password(LOGIN, "coord_pe", "guess")
        _client, response = try_password(LOGIN, "coord_cl", "pw-coord_cl")  # the guesser's own account
    client, response = try_password(LOGIN, "coord_pe", "pw-coord_pe")
    assert response.status_code == 429 and not signed_in(client)


def test_the_client_address_is_an_address_or_none(rf, settings):
    """Axes keeps it in an IP column: PostgreSQL refuses words there, so a missing or forged value is never one."""
    from sirbi.core.throttle import client_address

    request = rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="evil, 198.51.100.7")
    settings.BEHIND_PROXY = False
    assert client_address(request) == "203.0.113.9"
    settings.BEHIND_PROXY = True
    assert client_address(request) == "198.51.100.7"
    assert client_address(rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="not-an-address")) == (
        "203.0.113.9")
    request.META.pop("REMOTE_ADDR")
    request.META.pop("HTTP_X_FORWARDED_FOR")
    assert client_address(request) is None
