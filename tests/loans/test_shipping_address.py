"""The address to ship to: Lima's librarian picks the library's branch from its service points instead of typing
it; a library that states none shows its main building's address; another library's point is refused."""

from django.urls import reverse
from django.utils import translation

from sirbi.loans.models import LendingPolicy
from sirbi.registry.models import ServicePoint

POLICY = {"lends_returnables": "on", "lends_to": "country", "loan_days": 30, "renewals": 1, "response_days": 3,
          "deliveries": ["post"], "cost": "free"}


def test_the_librarian_ships_to_a_branch_chosen_among_the_library_s_points(as_user, lima_library, librarian_lima,
                                                                           santiago_library):
    main = ServicePoint.objects.create(library=lima_library, kind="main", name="Sede central",
                                       address="Jr. de la Unión 300", locality="Cercado de Lima")
    branch = ServicePoint.objects.create(library=lima_library, kind="branch", name="Filial Rímac",
                                         address="Av. Trujillo 200", locality="Rímac")
    elsewhere = ServicePoint.objects.create(library=santiago_library, kind="main", name="Sede Santiago")
    with translation.override("en"):
        url = reverse("loans:policy", args=[lima_library.pk])
        edit = reverse("loans:policy-edit", args=[lima_library.pk])
        form = as_user(librarian_lima).get(edit).content.decode()
        assert f'<option value="{branch.pk}">Filial Rímac</option>' in form and "Sede Santiago" not in form
        refused = as_user(librarian_lima).post(edit, {**POLICY, "ship_to": elsewhere.pk})
        assert refused.status_code == 400 and not LendingPolicy.objects.exists()

        # Without an address of its own, the policy page shows the main building's.
        assert as_user(librarian_lima).post(edit, POLICY).status_code == 302
        page = as_user(None).get(url).content.decode()
        assert "Biblioteca Municipal de Lima — Sede central<br>Jr. de la Unión 300<br>Cercado de Lima<br>Peru" in page
        assert "the main building&#x27;s address" in page or "the main building's address" in page

        policy = LendingPolicy.objects.get()
        answer = as_user(librarian_lima).post(edit, {**POLICY, "ship_to": branch.pk, "base_version": policy.version})
        assert answer.status_code == 302
    policy.refresh_from_db()
    assert policy.shipping_address == "Biblioteca Municipal de Lima — Filial Rímac\nAv. Trujillo 200\nRímac\nPeru"
    assert main.pk != branch.pk
