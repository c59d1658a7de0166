"""Working groups: what their members may do (documents, topics, messages) and what others read."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sirbi.core import permissions

from ..meetings.services import store_version
from ..models import Document, Post, Topic


def require_member(user, group):
    if not permissions.in_group(user, group):
        raise PermissionDenied(_("Only the members of %(group)s keep its content.") % {"group": group})


def can_read_discussion(user):
    """The discussion is for the members of the network; the public reads the group's published content."""
    return permissions.is_member(user)


def add_document(group, user, *, title, kind, visibility, upload, note=""):
    require_member(user, group)
    with transaction.atomic():
        document = Document(working_group=group, title=title, kind=kind, visibility=visibility)
        document.full_clean(exclude=["meeting", "working_group"])
        document.save()
        store_version(document, upload, user, note)
    return document


def start_topic(group, user, *, title, text):
    require_member(user, group)
    topic = Topic(group=group, title=title, author=user)
    topic.full_clean(exclude=["group", "author"])
    post = Post(author=user, text=text)
    post.full_clean(exclude=["topic", "author"])
    with transaction.atomic():
        topic.save()
        post.topic = topic
        post.save()
    return topic


def reply(topic, user, *, text):
    require_member(user, topic.group)
    post = Post(topic=topic, author=user, text=text)
    post.full_clean(exclude=["topic", "author"])
    with transaction.atomic():
        post.save()
        Topic.objects.filter(pk=topic.pk).update(last_post=timezone.now())
    return post
