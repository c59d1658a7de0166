"""The platform's edges: health, languages, production settings, accounts."""

import os
import subprocess
import sys
from unittest import mock

from django.core import mail
from django.db.utils import OperationalError

from sirbi.core.models import User


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_healthz_fails_when_the_database_does_not(client):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "error"


def test_the_root_follows_accept_language(client):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.9")["Location"] == "/pt/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB")["Location"] == "/en/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="de")["Location"] == "/es/"


def test_every_page_says_its_language_and_links_the_others(client):
    for language in ("es", "pt", "en"):
        page = client.get(f"/{language}/registry/countries/PE/").content.decode()
        assert f'<html lang="{language}">' in page
        assert 'hreflang="es"' in page and 'href="/pt/registry/countries/PE/"' in page
        assert 'href="/en/registry/countries/PE/"' in page


def test_numbers_and_dates_follow_the_language(client, peru):
    from sirbi.registry.models import Network

    Network.objects.filter(code="mx-public").update(libraries_declared=7474)
    # Spanish groups thousands with a (non-breaking) space, Portuguese with a point, English with a comma.
    assert "7\xa0474" in client.get("/es/registry/networks/mx-public/").content.decode()
    assert "7.474" in client.get("/pt/registry/networks/mx-public/").content.decode()
    assert "7,474" in client.get("/en/registry/networks/mx-public/").content.decode()


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = dict(os.environ, DEBUG="false", SECRET_KEY="x" * 20 + "-production-secret-key-with-enough-entropy-123",
               ALLOWED_HOSTS="sirbi.example.org", VAR_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path}/db")
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    result = subprocess.run([sys.executable, "-m", "sirbi", "check", "--deploy", "--fail-level", "DEBUG"],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = dict(os.environ, DEBUG="false", ALLOWED_HOSTS="x.org", VAR_DIR=str(tmp_path))
    env.pop("SECRET_KEY", None)
    result = subprocess.run([sys.executable, "-m", "sirbi", "check"], env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_log_in_and_out(client, coordinator_pe):
    response = client.post("/es/accounts/login/", {"username": "coord_pe", "password": "pw-coord_pe"})
    assert response.status_code == 302
    assert "coord_pe" in client.get("/es/platform/account/token/").content.decode()
    client.post("/es/accounts/logout/")
    assert client.get("/es/platform/account/token/").status_code == 302


def test_password_reset_sends_a_link(client, coordinator_pe, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.post("/en/accounts/password_reset/", {"email": "coord_pe@example.org"})
    assert len(mail.outbox) == 1
    assert "/en/accounts/reset/" in mail.outbox[0].body


def test_an_api_token_is_created_and_replaced(client, coordinator_pe):
    client.force_login(coordinator_pe)
    client.post("/en/platform/account/token/new/")
    first = User.objects.get(pk=coordinator_pe.pk).api_token.digest
    client.post("/en/platform/account/token/new/")
    assert User.objects.get(pk=coordinator_pe.pk).api_token.digest != first
