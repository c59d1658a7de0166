"""Every permission decision of the platform, in one place.

Pages, the API, imports and the admin all ask the same three questions:
`can(user, action, obj)` for one object, `restrict(queryset, user, action)` for a list, and
`scope(user, action, model)` for what a user may pick (the countries, networks or libraries offered in a form
or a filter). A refusal is worded once, saying why, by `refusal(user, action, obj)`.

A scoped model tells the kernel two things (see registry.models for the implementations):
- `permission_roles`: for each action ("add", "change", "delete"), the roles that may perform it
  within their scope; the regional secretariat may do everything everywhere;
- `scope_keys()`: the countries (ISO alpha-2), networks and libraries an object belongs to, and
  `scope_q(countries, networks, libraries)`: the same as a query filter.

Reading ("view") is the same question: a model with a non-public state (a draft figure, a practice waiting for
moderation, a questionnaire not sent, answers not submitted) declares `public_q()`, the filter of its objects
everyone may read; the others are read only by those who may change them (their author's scope) and the
secretariat. A model without `public_q` is public. The change log, the pages, the API and the admin all read
through `restrict(queryset, user, "view")` / `can(user, "view", obj)`.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Role

ACTIONS = {"view": _("view"), "add": _("add"), "change": _("change"), "delete": _("delete")}


@dataclass(frozen=True)
class ScopeKeys:
    countries: frozenset = field(default_factory=frozenset)
    networks: frozenset = field(default_factory=frozenset)
    libraries: frozenset = field(default_factory=frozenset)


class SecretariatOwned:
    """Mixin for objects of the whole region (the indicator catalogue, campaigns, meetings, the roadmap's
    lines): no role but the secretariat writes them."""

    permission_roles = {"add": set(), "change": set(), "delete": set()}

    def scope_keys(self):
        return ScopeKeys()

    @classmethod
    def scope_q(cls, countries, networks, libraries):
        return Q(pk__in=[])

    def changelog_country(self):
        return ""


def assignments(user):
    """The user's role assignments, read once per user object (i.e. once per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    cached = getattr(user, "_sirbi_assignments", None)
    if cached is None:
        cached = tuple(user.role_assignments.all())
        user._sirbi_assignments = cached
    return cached


def forget_assignments(user):
    user.__dict__.pop("_sirbi_assignments", None)


def is_secretariat(user):
    return bool(getattr(user, "is_superuser", False) and user.is_active) or any(
        a.role == Role.SECRETARIAT for a in assignments(user)
    )


def is_member(user):
    """Signed-in members see what the public does not (contacts, the change log)."""
    return is_secretariat(user) or bool(assignments(user))


def require_secretariat(user, task):
    """Refuse anyone but the regional secretariat; `task` says what only it does ("review figures")."""
    if not is_secretariat(user):
        raise PermissionDenied(_("Only the regional secretariat may %(task)s.") % {"task": task})


def require_member(user, what):
    """Refuse anyone without a role in the network; `what` names what members read ("the campaigns")."""
    if not is_member(user):
        raise PermissionDenied(_("Only members of the network (signed in with a role) may read %(what)s.")
                               % {"what": what})


def in_group(user, group):
    """May `user` keep a working group's content (documents, discussion)? Its members and the secretariat.
    Membership is the group's own list (`group.has_member`), not a role assignment."""
    return is_secretariat(user) or group.has_member(user)


def roles_of(user):
    return {a.role for a in assignments(user)} | ({Role.SECRETARIAT} if is_secretariat(user) else set())


def _grants(user, model, action):
    roles = model.permission_roles
    # Reading what is not public is for the roles that may change it (see read_q); a model may say otherwise.
    allowed = roles.get(action, roles.get("change", ())) if action == "view" else roles.get(action, ())
    return [a for a in assignments(user) if a.role in allowed]


@dataclass(frozen=True)
class Scope(ScopeKeys):
    """How far a user's roles reach for one action on one model: the countries, networks and libraries of the
    roles that may perform it, or everywhere (the secretariat)."""

    everywhere: bool = False

    def __bool__(self):
        return self.everywhere or bool(self.countries or self.networks or self.libraries)

    def q(self, model):
        """The Q of the objects of `model` (any scoped model: countries, networks, libraries, figures...) that
        lie within the scope; Q() (no condition) when it reaches everywhere, so do not OR it with another."""
        if self.everywhere:
            return Q()
        if not self:
            return Q(pk__in=[])
        return model.scope_q(countries=self.countries, networks=self.networks, libraries=self.libraries)

    def narrow(self, queryset):
        """The objects of `queryset` within the scope: what a form or a filter offers to pick."""
        return queryset.filter(self.q(queryset.model))


def scope(user, action, model):
    """Where `user` may perform `action` on an object of `model`: the one scope behind the pickers of forms and
    filters (`scope(user, "add", Library).narrow(Country.objects...)`: the countries where they may add a
    library) and behind `restrict`. For "view", the scope in which they read what is not public."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if is_secretariat(user):
        return Scope(everywhere=True)
    grants = _grants(user, model, action)
    return Scope(countries=frozenset(g.country for g in grants if g.country),
                 networks=frozenset(g.network_id for g in grants if g.network_id),
                 libraries=frozenset(g.library_id for g in grants if g.library_id))


def can(user, action, obj):
    """May `user` perform `action` on `obj` (saved or about to be saved)?"""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if is_secretariat(user):
        return True
    if action == "view":
        model = type(obj)
        if getattr(model, "public_q", None) is None or can(user, "change", obj):
            return True
        return obj.pk is not None and model._default_manager.filter(model.public_q(), pk=obj.pk).exists()
    if not _grants(user, type(obj), action):
        return False
    return can_keys(user, action, type(obj), obj.scope_keys())


def can_keys(user, action, model, keys):
    """`can` for an object known only by its scope keys (the bulk importer checks rows this way)."""
    if is_secretariat(user):
        return True
    # Called once per row by the importers: a loop over the few grants, no Scope built.
    for grant in _grants(user, model, action):
        if grant.country and grant.country in keys.countries:
            return True
        if grant.network_id and grant.network_id in keys.networks:
            return True
        if grant.library_id and grant.library_id in keys.libraries:
            return True
    return False


def can_any(user, action, model):
    """Does the user hold a role that may perform `action` on some object of `model`?"""
    return is_secretariat(user) or bool(_grants(user, model, action))


def restrict(queryset, user, action):
    """Narrow a queryset to the objects on which `user` may perform `action` ("view" included)."""
    if is_secretariat(user):
        return queryset
    if action == "view":
        return queryset.filter(read_q(queryset.model, user))
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return queryset.filter(scope_filter(queryset.model, user, action))


def scope_filter(model, user, action):
    """The Q of the objects of `model` on which `user` may perform a write `action` (their scope)."""
    return scope(user, action, model).q(model)


def read_q(model, user):
    """The Q of the objects of `model` that `user` may read in their current state: the public ones and, in a
    non-public state, those in the scope of the roles that may change them; everything for the secretariat."""
    public_q = getattr(model, "public_q", None)
    if public_q is None or is_secretariat(user):
        return Q()
    scope = scope_filter(model, user, "change")
    if scope == Q(pk__in=[]):
        return public_q()
    # As a subquery: scope filters that cross many-to-many relations (a library's networks) would repeat rows.
    return public_q() | Q(pk__in=model._default_manager.filter(scope).values("pk"))


def require(user, action, obj, label=None):
    """Raise PermissionDenied, with the reason, unless `user` may perform `action` on `obj` (or, given a model,
    on some object of it)."""
    reason = refusal(user, action, obj, label)
    if reason:
        raise PermissionDenied(reason)


# How scope keys read to a person ("Peru", "the network Red… (Peru)", a library's name). The registry sets it when
# it loads (the kernel does not import the registry); until then codes and numbers are shown.
_scope_names = None


def name_scopes_with(function):
    """`function(ScopeKeys)` -> the names of its countries, networks and libraries, in the active language."""
    global _scope_names
    _scope_names = function


def _names(keys):
    if _scope_names is not None:
        names = _scope_names(keys)
    else:
        names = [*sorted(keys.countries), *(f"#{pk}" for pk in sorted(keys.networks | keys.libraries))]
    return ", ".join(str(name) for name in names)


def _roles_named(model, action):
    roles = model.permission_roles.get(action, ()) if action != "view" else model.permission_roles.get("change", ())
    return ", ".join(str(Role(role).label) for role in Role if role in roles)


def refusal(user, action, obj, label=None):
    """Why `user` may not perform `action` on `obj` (an object, or a model for "some object of it": the add
    buttons), or None if they may. Every refusal of the platform is worded here, saying what the user's role
    covers and where the object is; `label` names the object in the sentence when its own name does not (a
    statistics unit for its figures)."""
    model = obj if isinstance(obj, type) else type(obj)
    allowed = can_any(user, action, model) if obj is model else can(user, action, obj)
    if allowed:
        return None
    values = {"action": ACTIONS[action],
              "object": label or (model._meta.verbose_name_plural if obj is model else obj)}
    if not getattr(user, "is_authenticated", False):
        return _("Sign in with your role to %(action)s %(object)s.") % values
    if not _roles_named(model, action):
        return _("Only the regional secretariat may %(action)s %(object)s.") % values
    reach = scope(user, action, model)
    if not reach:
        return _("Your account has no role that may %(action)s %(object)s (the roles that may: %(roles)s, and the "
                 "regional secretariat).") % {**values, "roles": _roles_named(model, action)}
    values["reach"] = _names(reach)
    keys = obj.scope_keys() if obj is not model else ScopeKeys()
    if reach.countries and keys.countries:
        return _("Your role covers %(reach)s; %(object)s is in %(where)s.") % {
            **values, "where": _names(ScopeKeys(countries=keys.countries))}
    return _("Your role covers %(reach)s; %(object)s is not in it.") % values
