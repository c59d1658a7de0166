from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sirbi.core.changelog import ChangeLoggedModel
from sirbi.core.languages import text, translated
from sirbi.core.markup import validate_plain_text
from sirbi.core.permissions import SecretariatOwned
from sirbi.registry.models import Country

plain = [validate_plain_text]


@translated("name", "theme", "mandate")
class WorkingGroup(SecretariatOwned, ChangeLoggedModel):
    """A working group: its theme and mandate, member countries and people, sessions, documents, discussion
    and the actions it owns. The secretariat sets it up; its members keep its content."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, validators=plain)
    theme = models.CharField(_("theme"), max_length=250, validators=plain)
    mandate = models.TextField(_("mandate"), blank=True, help_text=_("Markdown."))
    countries = models.ManyToManyField(Country, blank=True, related_name="working_groups",
                                       verbose_name=_("member countries"))
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="GroupMembership", blank=True,
                                     related_name="working_groups", verbose_name=_("members"))
    is_sample = models.BooleanField(_("sample data"), default=False)

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        ordering = ["name"]

    def __str__(self):
        return text(self, "name").text

    def get_absolute_url(self):
        return reverse("cooperation:group", args=[self.code])

    def has_member(self, user):
        """Is `user` a member (or the coordinator) of this group? Read once per user object and group."""
        if not getattr(user, "is_authenticated", False):
            return False
        cache = user.__dict__.setdefault("_sirbi_groups", {})
        if self.pk not in cache:
            cache[self.pk] = self.memberships.filter(user=user).exists()
        return cache[self.pk]


class GroupMembership(models.Model):
    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        MEMBER = "member", _("Member")

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="memberships",
                              verbose_name=_("working group"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships",
                             verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    country = models.ForeignKey(Country, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("country"))

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["group", "-role", "user__username"]
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="one_membership_per_person")]

    def __str__(self):
        return f"{self.user} · {self.group}"


class Topic(models.Model):
    """A discussion thread of a working group. Members of the network read it; the group's members write."""

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="topics",
                              verbose_name=_("working group"))
    title = models.CharField(_("title"), max_length=200, validators=plain)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("started by"))
    created = models.DateTimeField(_("started"), auto_now_add=True)
    last_post = models.DateTimeField(_("last message"), auto_now_add=True, db_index=True)
    is_sample = models.BooleanField(_("sample data"), default=False)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["-last_post", "-pk"]

    def __str__(self):
        return self.title


class Post(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts", verbose_name=_("topic"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("author"))
    text = models.TextField(_("message"), max_length=10000, help_text=_("Markdown."))
    created = models.DateTimeField(_("written"), auto_now_add=True)
    is_sample = models.BooleanField(_("sample data"), default=False)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created", "pk"]

    def __str__(self):
        return f"{self.topic} · {self.pk}"
