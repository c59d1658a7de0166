"""Pages of the working groups: the list, a group (mandate, members, sessions, documents, actions,
discussion) and a topic of its discussion."""

from datetime import date
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sirbi.core import permissions
from sirbi.core.uploads import upload_limit
from sirbi.core.views import say_errors, say_form_errors

from ..documents import upload_document
from ..forms import DocumentForm, PostForm, TopicForm
from ..meetings import services as meetings
from ..models import Action, GroupMembership, Topic, WorkingGroup
from ..roadmap import services as roadmap
from . import services as groups


def group_list(request):
    rows = (WorkingGroup.objects.prefetch_related("countries")
            .annotate(n_members=Count("memberships", distinct=True), n_actions=Count("actions", distinct=True)))
    return render(request, "cooperation/group_list.html", {"groups": rows,
                                                           "is_sample": any(g.is_sample for g in rows)})


def group_detail(request, code):
    group = get_object_or_404(WorkingGroup.objects.prefetch_related(
        "countries", Prefetch("memberships", GroupMembership.objects.select_related("user", "country"))), code=code)
    user = request.user
    is_group_member = permissions.in_group(user, group)
    context = {
        "group": group, "is_group_member": is_group_member,
        "show_people": permissions.is_member(user),
        "sessions": group.meetings.order_by("-start_date"),
        "documents": meetings.visible_documents(group.documents.prefetch_related("versions"), user),
        "actions": roadmap.action_rows(Action.objects.filter(working_group=group).order_by("end", "code")),
        "today": date.today(), "is_sample": group.is_sample,
    }
    if groups.can_read_discussion(user):
        context["topics"] = group.topics.select_related("author").annotate(n_posts=Count("posts"))
    if is_group_member:
        context.update(topic_form=TopicForm(), document_form=DocumentForm())
    return render(request, "cooperation/group_detail.html", context)


@upload_limit("DOCUMENT_MAX_BYTES")
@login_required
@require_POST
def group_document(request, code):
    group = get_object_or_404(WorkingGroup, code=code)
    return upload_document(request, group, partial(groups.add_document, group))


@login_required
@require_POST
def start_topic(request, code):
    group = get_object_or_404(WorkingGroup, code=code)
    form = TopicForm(request.POST)
    if not form.is_valid():
        say_form_errors(request, form)
        return redirect(group)
    try:
        topic = groups.start_topic(group, request.user, **form.cleaned_data)
    except ValidationError as exc:
        say_errors(request, exc)
        return redirect(group)
    return redirect("cooperation:topic", code=group.code, pk=topic.pk)


def topic_detail(request, code, pk):
    topic = get_object_or_404(Topic.objects.select_related("group"), group__code=code, pk=pk)
    if not groups.can_read_discussion(request.user):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        permissions.require_member(request.user, _("the discussions"))
    if request.method == "POST":
        form = PostForm(request.POST)
        if form.is_valid():
            try:
                groups.reply(topic, request.user, text=form.cleaned_data["text"])
            except ValidationError as exc:
                say_errors(request, exc)
            else:
                messages.success(request, _("Your message is posted."))
                return redirect("cooperation:topic", code=code, pk=pk)
        else:
            say_form_errors(request, form)
    return render(request, "cooperation/topic_detail.html", {
        "topic": topic, "group": topic.group, "posts": topic.posts.select_related("author"),
        "form": PostForm() if permissions.in_group(request.user, topic.group) else None,
        "is_sample": topic.is_sample})
