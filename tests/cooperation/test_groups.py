import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from sirbi.cooperation.groups import services as groups
from sirbi.cooperation.meetings import services as meetings
from sirbi.cooperation.models import Document, GroupMembership, Topic, WorkingGroup

from .conftest import pdf_file


@pytest.fixture
def group(peru, chile, coordinator_cl, action_pe):
    group = WorkingGroup.objects.create(code="datos", name="Datos y estadísticas", theme="Estadísticas",
                                        mandate="Publicar un **informe** <script>x()</script>")
    group.countries.set([peru, chile])
    GroupMembership.objects.create(group=group, user=coordinator_cl, role="coordinator", country=chile)
    action_pe.working_group = group
    action_pe.save()
    return group


def url(name, *args):
    with translation.override("en"):
        return reverse(f"cooperation:{name}", args=args)


def test_members_start_topics_and_reply_others_are_refused(group, coordinator_cl, coordinator_pe):
    topic = groups.start_topic(group, coordinator_cl, title="Plantilla", text="Propuesta")
    groups.reply(topic, coordinator_cl, text="Segunda")
    assert [p.text for p in topic.posts.all()] == ["Propuesta", "Segunda"]
    with pytest.raises(PermissionDenied):
        groups.reply(topic, coordinator_pe, text="No soy miembro")
    with pytest.raises(PermissionDenied):
        groups.start_topic(group, coordinator_pe, title="x", text="y")
    with pytest.raises(ValidationError):
        groups.start_topic(group, coordinator_cl, title="<b>x</b>", text="y")
    assert Topic.objects.count() == 1 and topic.posts.count() == 2


def test_members_upload_group_documents_and_new_versions(group, coordinator_cl, coordinator_pe, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = groups.add_document(group, coordinator_cl, title="Informe", kind="report", visibility="public",
                                   upload=pdf_file())
    meetings.add_version(document, coordinator_cl, pdf_file("v2.pdf"))
    assert document.versions.count() == 2
    with pytest.raises(PermissionDenied):
        meetings.add_version(document, coordinator_pe, pdf_file("v3.pdf"))
    with pytest.raises(PermissionDenied):
        groups.add_document(group, coordinator_pe, title="x", kind="other", visibility="public", upload=pdf_file())
    assert Document.objects.count() == 1 and document.versions.count() == 2


def test_group_page_public_reads_what_is_published(group, coordinator_cl, as_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    groups.add_document(group, coordinator_cl, title="Borrador interno", kind="other", visibility="members",
                        upload=pdf_file())
    groups.start_topic(group, coordinator_cl, title="Plantilla común", text="Texto")
    body = as_user(None).get(url("group", "datos")).content.decode()
    assert "Datos y estadísticas" in body and "<strong>informe</strong>" in body and "<script>x()" not in body
    assert "Plan de lectura del Perú" in body  # the action it owns
    assert "Borrador interno" not in body and "Plantilla común" not in body and "coord_cl" not in body
    member_body = as_user(coordinator_cl).get(url("group", "datos")).content.decode()
    assert "Borrador interno" in member_body and "Plantilla común" in member_body and "Start a topic" in member_body


def test_topic_pages_members_read_group_members_write(group, coordinator_cl, coordinator_pe, as_user):
    topic = groups.start_topic(group, coordinator_cl, title="Plantilla", text="Propuesta")
    assert as_user(None).get(url("topic", "datos", topic.pk)).status_code == 302
    page = as_user(coordinator_pe).get(url("topic", "datos", topic.pk)).content.decode()
    assert "Propuesta" in page and "Only the members of the group write here." in page
    refused = as_user(coordinator_pe).post(url("topic", "datos", topic.pk), {"text": "intento"})
    assert refused.status_code == 403 and topic.posts.count() == 1
    as_user(coordinator_cl).post(url("topic", "datos", topic.pk), {"text": "Respuesta **clara**"})
    assert topic.posts.count() == 2
    started = as_user(coordinator_cl).post(url("start-topic", "datos"), {"title": "Nuevo", "text": "Hola"})
    assert started.status_code == 302 and Topic.objects.filter(title="Nuevo").exists()


def test_group_list(group, as_user):
    body = as_user(None).get(url("groups")).content.decode()
    assert "Datos y estadísticas" in body and "1 member" in body and "1 action" in body
