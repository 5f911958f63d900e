"""Admin actions that make a workflow move on each selected row, generated from ``claims.workflow.Move``.

Each action asks the workflow, which alone knows who may make which move: an action is offered to a
user whose role allows its move, and each refused row is reported with the workflow's reason.
"""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import Truncator

from claims import workflow
from claims.models import Claim, Verdict


def reviewers() -> QuerySet:
    """Active users who may be assigned claims: those allowed to draft verdicts."""
    can_review = Q(groups__permissions__codename="add_verdict") | Q(user_permissions__codename="add_verdict")
    return get_user_model().objects.filter(Q(is_active=True) & (can_review | Q(is_superuser=True))).distinct()


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Kept on record with the change.")


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label="What to change",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The author reads it on the verdict's page.",
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=reviewers().order_by("username"), help_text="Reviewers and editors.")


def move_slug(move: workflow.Move) -> str:
    """A move as a page's address names it (``/move/send-back/``)."""
    return move.replace(" ", "-")


def quoted(obj) -> str:
    """A claim or a verdict as a message names it: by its words, not by an id."""
    return f"“{Truncator(str(obj)).chars(70)}”"


# What a move can be refused with: the workflow's reasons, and the models' rules (a correction without its note).
REFUSALS = (workflow.WorkflowError, ValidationError)


def refusal(error: Exception) -> str:
    """A refusal as one line for a message."""
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


def run_moves(request: HttpRequest, objects, move: Callable, done_message: str) -> None:
    """Apply a workflow move to each object and report, row by row, what happened."""
    done = []
    for obj in objects:
        try:
            move(obj)
        except REFUSALS as error:
            messages.error(request, f"{quoted(obj)}: {refusal(error)}")
        else:
            done.append(quoted(obj))
    if done:
        messages.success(request, f"{done_message}: {', '.join(done)}.")


def form_action(modeladmin, request, queryset, form_class, title: str, apply: Callable):
    """An admin action that asks for input (a reason, an assignee) on a page of its own first."""
    if "apply" in request.POST:
        form = form_class(request.POST)
        if form.is_valid():
            apply(form.cleaned_data)
            return None
    else:
        form = form_class()
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "objects": queryset,
        "action": request.POST["action"],
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
    }
    return TemplateResponse(request, "admin/claims/action_form.html", context)


def verdict_to_move(claim: Claim, status: str) -> Verdict:
    """The verdict that a claim list's action acts on: the claim's current fact-check, or its newest
    verdict in ``status``."""
    if status == Verdict.Status.PUBLISHED:
        verdict = claim.current_verdict
    else:
        verdict = claim.verdicts.filter(status=status).order_by("-created_at", "-pk").first()
    if verdict is None:
        label = Verdict.Status(status).label.lower()
        raise workflow.IllegalMoveError(f"Claim {claim.pk} has no verdict that is {label}.")
    return verdict


def move_action(
    move: workflow.Move,
    *,
    name: str,
    description: str,
    done: str,
    form: type[forms.Form] | None = None,
    title: str = "",
    of_verdict_in: str | None = None,
    arguments: Callable[[HttpRequest, dict], dict] = lambda request, data: data,
    allowed: Callable | None = None,
):
    """An admin action making ``move`` on each selected row.

    ``form`` asks for the move's input first, on a page called ``title`` (``done`` is formatted with
    the input); ``of_verdict_in`` makes a claim list's action move the claim's verdict in that state
    (``verdict_to_move``); ``arguments`` turns the form's data into the move's; ``allowed`` narrows
    who is offered it beyond the roles the move allows.
    """

    def action(modeladmin, request, queryset):
        def apply(data):
            def make(obj):
                target = verdict_to_move(obj, of_verdict_in) if of_verdict_in else obj
                return workflow.make_move(target, user=request.user, move=move, **arguments(request, data))

            run_moves(request, queryset, make, done.format(**data))

        if form is None:
            return apply({})
        return form_action(modeladmin, request, queryset, form, title, apply)

    action.__name__ = name
    action.short_description = description
    action.allowed = lambda user: workflow.role_allows(user, move) and (allowed is None or allowed(user))
    return action


def record_page(modeladmin, request: HttpRequest, original, page_name: str, template: str, **context):
    """A page below one record's change page (a move on it, its timeline), with breadcrumbs back to it."""
    opts = modeladmin.model._meta
    return TemplateResponse(
        request,
        template,
        {
            **modeladmin.admin_site.each_context(request),
            "title": f"{page_name.capitalize()}: {original}",
            "original": original,
            "page_name": page_name,
            "change_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[original.pk]),
            "opts": opts,
            **context,
        },
    )


class MoveActionsAdmin:
    """Offers a move action only to users whose role allows its move; a POST of another is refused as unknown."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        return {
            name: action
            for name, action in actions.items()
            if getattr(action[0], "allowed", lambda user: True)(request.user)
        }
