"""Issue #17 §6, the interlibrary loan journey in Chromium: Lima's librarian asks for a book that only Chile and
Uruguay hold; Chile answers Unfilled (not on shelf), the request moves to Uruguay by itself, Uruguay will supply it
for use in the library only, Lima accepts the condition, and the loan goes round (Loaned, Received, ShippedReturn,
LoanCompleted); the timeline shows each step and the statistics show Peru borrowing from Uruguay. Chile's librarian
can no longer act once the request has left them (no form, a forged answer refused). axe-core finds no serious or
critical violation on the desk, the request page, the new-request page and the policy page."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from sirbi.catalog.models import Cluster, Holding, Record, Source
from sirbi.core.models import Role
from sirbi.loans.models import LendingPolicy, LoanRequest
from sirbi.registry.models import Country, Library
from sirbi.stats.indicators import seed_indicators
from sirbi.stats.models import Value
from tests.conftest import make_user

from .conftest import axe_violations, describe, shot, sign_in


def _library(code, name, isil, locality):
    return Library.objects.create(name=name, isil=isil, country=Country.objects.get(code=code), type="public",
                                  locality=locality)


@pytest.fixture
def ill_world(registry):
    seed_indicators()
    lima = _library("PE", "Biblioteca Municipal de Lima", "PE-LIM01", "Lima")
    santiago = _library("CL", "Biblioteca de Santiago", "CL-STG01", "Santiago")
    montevideo = _library("UY", "Biblioteca de Tacuarembó", "UY-TAC01", "Tacuarembó")
    for lender in (santiago, montevideo):
        LendingPolicy.objects.create(library=lender, lends_to="members", deliveries=["post"], loan_days=21)
    cluster = Cluster.objects.create()
    source = Source.objects.create(code="union", name="Catálogo colectivo")
    record = Record.objects.create(source=source, local_id="r1", raw=b"", digest="x", raw_format="marcxml",
                                   cluster=cluster, title="Los ríos profundos", sort_title="los rios profundos",
                                   authors=["Arguedas, José María"], isbns=["9788437604305"])
    for lender in (santiago, montevideo):
        Holding.objects.create(record=record, library=lender)
    cluster.representative = record
    cluster.save()
    return {
        "lima": lima, "santiago": santiago, "montevideo": montevideo, "cluster": cluster,
        "staff_lima": make_user("staff_lima", Role.LIBRARY_STAFF, library_id=lima.pk),
        "staff_santiago": make_user("staff_santiago", Role.LIBRARY_STAFF, library_id=santiago.pk),
        "staff_montevideo": make_user("staff_montevideo", Role.LIBRARY_STAFF, library_id=montevideo.pk),
    }


def no_violations(page):
    violations = axe_violations(page)
    assert not violations, f"{page.url}\n{describe(violations)}"


def answer(page, status, **choices):
    """The lender's answer form on the request page."""
    page.select_option("#answer-status", status)
    for field, value in choices.items():
        page.select_option(f"#answer-{field}", value)
    with page.expect_navigation():
        page.get_by_role("button", name="Enviar la respuesta").click()
    assert page.locator(".message.error").count() == 0, page.locator("main").inner_text()


def step(page, action):
    """The requesting library's step on the request page (its button, whatever its label)."""
    with page.expect_navigation():
        page.locator(f"button[name=action][value='{action}']").click()
    assert page.locator(".message.error").count() == 0, page.locator("main").inner_text()


def forged_answer(page, base, loan, status="WillSupply"):
    """A POST of the lender's answer made by hand, with the page's CSRF token (as a script on the page could)."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return page.request.post(f"{base}/es/loans/requests/{loan.pk}/answer/", form={"status": status},
                             headers={"X-CSRFToken": token, "Referer": f"{base}/es/loans/requests/{loan.pk}/"},
                             max_redirects=0)


@pytest.mark.e2e
def test_lima_borrows_from_uruguay_after_chile_has_none_on_the_shelf(open_page, live_server, ill_world):
    base, world = live_server.url, ill_world
    santiago, montevideo = world["santiago"], world["montevideo"]

    # Lima: the catalog entry, "request by interlibrary loan", the rota with its reasons, send.
    lima = open_page()
    sign_in(lima, base, world["staff_lima"])
    lima.goto(f"{base}/es/catalog/clusters/{world['cluster'].pk}/")
    with lima.expect_navigation():
        lima.get_by_role("link", name="Pedir por préstamo interbibliotecario").click()
    assert "/es/loans/requests/new/" in lima.url
    assert lima.locator("#id_title").input_value() == "Los ríos profundos"
    no_violations(lima)
    lima.fill("#id_patron_reference", "Lector 42")
    with lima.expect_navigation():
        lima.locator("main form button[type=submit]").click()
    loan = LoanRequest.objects.get(borrower=world["lima"])
    assert lima.url.endswith(f"/es/loans/requests/{loan.pk}/")
    rota = lima.locator("ol.rota > li").all_inner_texts()
    assert len(rota) == 2, rota
    assert "Biblioteca de Santiago (Chile)" in rota[0] and "Otro lugar de la región" in rota[0], rota
    assert "Biblioteca de Tacuarembó (Uruguay)" in rota[1] and "Otro lugar de la región" in rota[1], rota
    shot(lima, "ill-draft")
    no_violations(lima)
    step(lima, "send")
    assert "Biblioteca de Santiago" in lima.locator("dl.facts").inner_text()

    # Chile: its desk shows the request first, as needing attention; it answers Unfilled, not on shelf.
    chile = open_page()
    sign_in(chile, base, world["staff_santiago"])
    chile.goto(f"{base}/es/loans/libraries/{santiago.pk}/")
    first = chile.locator("table.list tbody tr").first
    assert "requiere atención" in first.inner_text() and loan.request_id in first.inner_text()
    shot(chile, "ill-desk-chile")
    no_violations(chile)
    with chile.expect_navigation():
        first.get_by_role("link", name=loan.request_id).click()
    assert "Lector 42" not in chile.content(), "the patron reference is Lima's own"
    no_violations(chile)
    answer(chile, "Unfilled", unfilled="NotOnShelf")

    # The request moved to Uruguay by itself; Chile has no form left, and a forged answer is refused.
    loan.refresh_from_db()
    assert loan.lender == montevideo and loan.state == "requested"
    assert chile.locator("form[action$='/answer/'], form[action$='/act/'], form[action$='/rota/']").count() == 0
    assert "Biblioteca de Tacuarembó" in chile.locator("dl.facts").inner_text()
    before = (loan.state, loan.supplier_status, loan.lender_id, loan.transitions.count())
    for status in ("WillSupply", "Loaned", "Unfilled"):
        refused = forged_answer(chile, base, loan, status)
        assert refused.status == 403, (status, refused.status)
    loan.refresh_from_db()
    assert (loan.state, loan.supplier_status, loan.lender_id, loan.transitions.count()) == before

    # Uruguay: will supply, for use in the library only.
    uruguay = open_page()
    sign_in(uruguay, base, world["staff_montevideo"])
    uruguay.goto(f"{base}/es/loans/libraries/{montevideo.pk}/")
    first = uruguay.locator("table.list tbody tr").first
    assert "requiere atención" in first.inner_text() and loan.request_id in first.inner_text()
    with uruguay.expect_navigation():
        first.get_by_role("link", name=loan.request_id).click()
    answer(uruguay, "WillSupply", condition="LibraryUseOnly")

    # Lima accepts the condition; its desk showed it as waiting for Lima.
    lima.goto(f"{base}/es/loans/libraries/{world['lima'].pk}/")
    first = lima.locator("table.list tbody tr").first
    assert "requiere atención" in first.inner_text()
    no_violations(lima)
    lima.goto(f"{base}/es/loans/requests/{loan.pk}/")
    assert "LibraryUseOnly" in lima.locator("dl.facts").inner_text()
    step(lima, "accept")

    # Uruguay lends it; Lima receives it, then ships it back; Uruguay checks it in.
    uruguay.goto(f"{base}/es/loans/requests/{loan.pk}/")
    answer(uruguay, "Loaned")
    lima.goto(f"{base}/es/loans/requests/{loan.pk}/")
    step(lima, "Received")
    step(lima, "ShippedReturn")
    uruguay.goto(f"{base}/es/loans/requests/{loan.pk}/")
    answer(uruguay, "LoanCompleted")
    loan.refresh_from_db()
    assert loan.state == "completed" and loan.supplier_status == "LoanCompleted"
    assert uruguay.locator("#answer-status").count() == 0

    # The timeline, seen from Lima, has every step in order.
    lima.goto(f"{base}/es/loans/requests/{loan.pk}/")
    timeline = lima.locator("ol.timeline > li")
    assert timeline.evaluate_all("items => items.map(item => item.dataset.step)") == [
        "opened", "send", "asked", "Unfilled", "asked", "WillSupply", "accept", "Loaned", "Received",
        "ShippedReturn", "LoanCompleted"]
    texts = timeline.all_inner_texts()
    assert "Enviada a la primera biblioteca prestadora" in texts[1], texts
    assert "Biblioteca de Santiago" in texts[3] and "No está en el estante (NotOnShelf)" in texts[3], texts
    assert "Biblioteca de Tacuarembó" in texts[4] and "Automático" in texts[4], texts
    assert "Biblioteca de Tacuarembó" in texts[5] and "(LibraryUseOnly)" in texts[5], texts
    shot(lima, "ill-request-completed")
    no_violations(lima)

    # The policy page of the lender.
    lima.goto(f"{base}/es/loans/libraries/{montevideo.pk}/policy/")
    no_violations(lima)

    # Statistics: the page counts live; the nightly command writes the year's values beside other sources.
    year = timezone.localdate().year
    call_command("ill_statistics", year=[year])
    assert Value.objects.filter(indicator__code="ill_lending", source="ill").exists()
    visitor = open_page()
    visitor.goto(f"{base}/es/loans/statistics/?year={year}", wait_until="networkidle")
    matrix = visitor.locator("section[aria-labelledby=flows-title] table")
    header = matrix.locator("thead th").all_inner_texts()
    uruguay_row = matrix.get_by_role("row", name="Uruguay")
    cells = dict(zip(header[1:], uruguay_row.get_by_role("cell").all_inner_texts(), strict=True))
    assert cells.get("Perú") == "1", (header, cells)
    chile_rows = matrix.get_by_role("row", name="Chile")
    assert chile_rows.count() == 0, "Chile supplied nothing"
    shot(visitor, "ill-statistics-journey")
