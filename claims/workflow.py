"""Who may move a claim or a verdict from one state to the next (docs/architecture.md, "The workflow").

The admin, the API and the management commands call these functions and nothing else to change a
status. Each one locks the rows it moves, checks the move and the user's right to make it, and
raises a ``WorkflowError`` that names the current state and the allowed moves when it is refused.
Every function returns the saved object; the instance passed in is not updated. Moves are named
by ``Move``, so that a misspelt move fails where it is written, not when someone makes it.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from claims.models import Claim, StaleVersionError, Verdict

ClaimStatus = Claim.Status
VerdictStatus = Verdict.Status


class Move(StrEnum):
    """Every move of the workflow, as people read it in messages ("Cannot publish verdict 3: ...")."""

    MARK_CHECKWORTHY = "mark check-worthy"
    REJECT = "reject"
    ASSIGN = "assign"
    DRAFT = "draft a verdict"
    SUBMIT = "submit for review"
    SEND_BACK = "send back"
    PUBLISH = "publish"
    RETRACT = "retract"
    CORRECT = "correct"


@dataclass(frozen=True)
class MoveRule:
    move: Move
    permission: str  # codename in the claims app
    edges: dict[str, str]  # state it may start from -> state it leads to
    needs_reason: bool = False  # kept on record with the change


def _table(*rules: MoveRule) -> dict[Move, MoveRule]:
    return {rule.move: rule for rule in rules}


CLAIM_MOVES = _table(
    MoveRule(
        Move.MARK_CHECKWORTHY,
        "triage_claim",
        {ClaimStatus.NEW: ClaimStatus.CHECKWORTHY, ClaimStatus.REJECTED: ClaimStatus.CHECKWORTHY},
    ),
    MoveRule(
        Move.REJECT,
        "triage_claim",
        {ClaimStatus.NEW: ClaimStatus.REJECTED, ClaimStatus.CHECKWORTHY: ClaimStatus.REJECTED},
        needs_reason=True,
    ),
    # Taking a claim yourself needs only the right to review; assigning others needs ASSIGN_OTHERS.
    MoveRule(
        Move.ASSIGN,
        "add_verdict",
        {ClaimStatus.CHECKWORTHY: ClaimStatus.ASSIGNED, ClaimStatus.ASSIGNED: ClaimStatus.ASSIGNED},
    ),
    MoveRule(
        Move.DRAFT,
        "add_verdict",
        {
            ClaimStatus.ASSIGNED: ClaimStatus.ASSIGNED,
            ClaimStatus.IN_REVIEW: ClaimStatus.IN_REVIEW,
            ClaimStatus.PUBLISHED: ClaimStatus.PUBLISHED,
        },
    ),
)
VERDICT_MOVES = _table(
    MoveRule(Move.SUBMIT, "change_verdict", {VerdictStatus.DRAFT: VerdictStatus.IN_REVIEW}),
    MoveRule(Move.SEND_BACK, "publish_verdict", {VerdictStatus.IN_REVIEW: VerdictStatus.DRAFT}),
    MoveRule(Move.PUBLISH, "publish_verdict", {VerdictStatus.IN_REVIEW: VerdictStatus.PUBLISHED}),
    MoveRule(Move.RETRACT, "retract_verdict", {VerdictStatus.PUBLISHED: VerdictStatus.RETRACTED}, needs_reason=True),
    MoveRule(Move.CORRECT, "add_verdict", {VerdictStatus.PUBLISHED: VerdictStatus.PUBLISHED}),
)
MOVES = {**CLAIM_MOVES, **VERDICT_MOVES}
ASSIGN_OTHERS = "assign_claim"


class WorkflowError(Exception):
    """A move that is refused: illegal from the current state, or not allowed to this user."""


class IllegalMoveError(WorkflowError):
    pass


class NotAllowedError(WorkflowError):
    pass


class ConflictError(WorkflowError):
    """Someone else changed the record after the caller read it."""


def _rules_of(obj: Claim | Verdict) -> dict[Move, MoveRule]:
    return CLAIM_MOVES if isinstance(obj, Claim) else VERDICT_MOVES


def moves_from(obj: Claim | Verdict) -> list[Move]:
    """The moves that the object's current state allows, whoever asks."""
    return [rule.move for rule in _rules_of(obj).values() if obj.status in rule.edges]


def role_allows(user: AbstractBaseUser, move: Move) -> bool:
    """Whether the user's role allows the move at all, whatever the state of a record."""
    return user.has_perm(f"claims.{MOVES[move].permission}")


def may_assign_others(user: AbstractBaseUser) -> bool:
    """Whether the user may give claims to other reviewers, not only take them (editors)."""
    return user.has_perm(f"claims.{ASSIGN_OTHERS}")


def moves_for(obj: Claim | Verdict, user: AbstractBaseUser) -> list[Move]:
    """The moves from the current state that the user's role allows (four eyes is checked on the move)."""
    return [move for move in moves_from(obj) if role_allows(user, move)]


def _check(move: Move, obj: Claim | Verdict, user: AbstractBaseUser, reason: str = "") -> str:
    """Refuse the move unless the user's role, the object's state and the reason given allow it.

    Returns the state the move leads to.
    """
    rule = _rules_of(obj)[move]
    label = type(obj).__name__.lower()
    if not role_allows(user, move):
        raise NotAllowedError(f"{user} may not {move} {label} {obj.pk}: their role does not allow it.")
    if obj.status not in rule.edges:
        state = obj.get_status_display().lower()
        allowed = ", ".join(moves_from(obj)) or "none"
        raise IllegalMoveError(f"Cannot {move} {label} {obj.pk}: it is {state}. Allowed from {state}: {allowed}.")
    if rule.needs_reason and not reason.strip():
        raise WorkflowError(f"Cannot {move} {label} {obj.pk} without a reason.")
    return rule.edges[obj.status]


def _lock_claim(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().select_related("source").get(pk=claim.pk)


def _lock_verdict(verdict: Verdict) -> Verdict:
    fresh = Verdict.objects.select_for_update().get(pk=verdict.pk)
    if fresh.version != verdict.version:
        raise ConflictError(
            f"Verdict {verdict.pk} was changed by someone else since you read it "
            f"(version {verdict.version}, now {fresh.version}); reload it and try again."
        )
    return fresh


def _save(obj: Claim | Verdict, user: AbstractBaseUser) -> None:
    obj.full_clean()
    obj._history_user = user  # the history names who moved it, also outside a web request
    try:
        obj.save()
    except StaleVersionError as error:
        raise ConflictError(str(error)) from error


def _set_claim_status(claim: Claim, status: str, user: AbstractBaseUser) -> None:
    if claim.status != status:
        claim.status = status
        _save(claim, user)


# Claims


@transaction.atomic
def claim_mark_checkworthy(*, claim: Claim, user: AbstractBaseUser) -> Claim:
    claim = _lock_claim(claim)
    claim.status = _check(Move.MARK_CHECKWORTHY, claim, user)
    claim.rejection_reason = ""
    _save(claim, user)
    return claim


@transaction.atomic
def claim_reject(*, claim: Claim, user: AbstractBaseUser, reason: str) -> Claim:
    claim = _lock_claim(claim)
    claim.status = _check(Move.REJECT, claim, user, reason)
    claim.rejection_reason = reason.strip()
    _save(claim, user)
    return claim


@transaction.atomic
def claim_assign(*, claim: Claim, user: AbstractBaseUser, assignee: AbstractBaseUser) -> Claim:
    """Give a claim to a reviewer: anyone who reviews may take one, only editors assign others."""
    claim = _lock_claim(claim)
    claim.status = _check(Move.ASSIGN, claim, user)
    if assignee.pk != user.pk and not may_assign_others(user):
        raise NotAllowedError(f"{user} may take claims but not assign them to others.")
    if not assignee.is_active or not assignee.has_perm("claims.add_verdict"):
        raise NotAllowedError(f"{assignee} is not a reviewer and cannot be assigned claims.")
    claim.assignee = assignee
    _save(claim, user)
    return claim


# Verdicts


@transaction.atomic
def verdict_create(*, verdict: Verdict, author: AbstractBaseUser) -> Verdict:
    """Save a new draft verdict, written by ``author``, on a claim that has been assigned."""
    ensure_can_draft(claim=_lock_claim(verdict.claim), user=author)
    verdict.author = author
    verdict.status = VerdictStatus.DRAFT
    _save(verdict, author)
    return verdict


def ensure_can_draft(*, claim: Claim, user: AbstractBaseUser) -> None:
    """Refuse to start a verdict on a claim that has not been triaged and assigned."""
    _check(Move.DRAFT, claim, user)


def may_edit(*, verdict: Verdict, user: AbstractBaseUser) -> bool:
    """Only drafts are edited, by their author or an editor.

    A verdict in review is what its approver read, and a published one is corrected by a new
    version, never in place.
    """
    return (
        verdict.status == VerdictStatus.DRAFT
        and user.has_perm("claims.change_verdict")
        and (verdict.author_id == user.pk or user.has_perm("claims.publish_verdict"))
    )


@transaction.atomic
def verdict_update(*, verdict: Verdict, user: AbstractBaseUser, changes: dict) -> Verdict:
    """Change fields of a draft, which stays on its claim; refused with ``ConflictError`` if someone
    saved it since ``verdict`` was read. Every write path edits drafts through here."""
    if not may_edit(verdict=verdict, user=user):
        state = verdict.get_status_display().lower()
        raise NotAllowedError(
            f"{user} may not edit verdict {verdict.pk}: it is {state}; only drafts are edited, "
            "by their author or an editor."
        )
    if "claim" in changes and changes["claim"].pk != Verdict.objects.values_list("claim", flat=True).get(pk=verdict.pk):
        raise ValidationError({"claim": "A verdict stays on the claim it was drafted for."})
    for name, value in changes.items():
        setattr(verdict, name, value)
    _save(verdict, user)
    return verdict


@transaction.atomic
def verdict_submit(*, verdict: Verdict, user: AbstractBaseUser) -> Verdict:
    verdict = _lock_verdict(verdict)
    verdict.status = _check(Move.SUBMIT, verdict, user)
    if verdict.author_id != user.pk and not user.has_perm("claims.publish_verdict"):
        raise NotAllowedError(f"Only the author or an editor may submit verdict {verdict.pk} for review.")
    _save(verdict, user)
    claim = _lock_claim(verdict.claim)
    if claim.status == ClaimStatus.ASSIGNED:
        _set_claim_status(claim, ClaimStatus.IN_REVIEW, user)
    return verdict


@transaction.atomic
def verdict_send_back(*, verdict: Verdict, user: AbstractBaseUser) -> Verdict:
    """Return a verdict in review to its author for changes."""
    verdict = _lock_verdict(verdict)
    verdict.status = _check(Move.SEND_BACK, verdict, user)
    _save(verdict, user)
    claim = _lock_claim(verdict.claim)
    if claim.status == ClaimStatus.IN_REVIEW and not claim.verdicts.filter(status=VerdictStatus.IN_REVIEW).exists():
        _set_claim_status(claim, ClaimStatus.ASSIGNED, user)
    return verdict


@transaction.atomic
def verdict_publish(*, verdict: Verdict, editor: AbstractBaseUser) -> Verdict:
    """Approve and publish a verdict in review: only an editor who did not write it may."""
    verdict = _lock_verdict(verdict)
    verdict.status = _check(Move.PUBLISH, verdict, editor)
    if verdict.author_id == editor.pk:
        raise NotAllowedError(
            f"{editor} wrote verdict {verdict.pk} and cannot publish it: another editor must approve it."
        )
    verdict.approved_by = editor
    verdict.published_at = timezone.now()
    verdict.slug = Verdict.slug_for(pk=verdict.pk, headline=verdict.headline)
    _save(verdict, editor)
    claim = _lock_claim(verdict.claim)
    claim.status = ClaimStatus.PUBLISHED
    claim.refresh_current_verdict()
    _save(claim, editor)
    return verdict


@transaction.atomic
def verdict_retract(*, verdict: Verdict, editor: AbstractBaseUser, reason: str) -> Verdict:
    """Withdraw a published verdict; it stays on record with the reason."""
    verdict = _lock_verdict(verdict)
    verdict.status = _check(Move.RETRACT, verdict, editor, reason)
    verdict.retraction_reason = reason.strip()
    verdict.retracted_at = timezone.now()
    _save(verdict, editor)
    claim = _lock_claim(verdict.claim)
    claim.refresh_current_verdict()
    if claim.current_verdict is None:
        claim.status = ClaimStatus.ASSIGNED if claim.assignee_id else ClaimStatus.CHECKWORTHY
    _save(claim, editor)
    return verdict


@transaction.atomic
def verdict_correct(*, verdict: Verdict, user: AbstractBaseUser) -> Verdict:
    """Start a correction: a new draft that copies a published verdict and replaces it once published."""
    verdict = _lock_verdict(verdict)
    _check(Move.CORRECT, verdict, user)
    correction = Verdict(
        claim=verdict.claim,
        corrects=verdict,
        author=user,
        rating=verdict.rating,
        headline=verdict.headline,
        summary=verdict.summary,
        body=verdict.body,
        language=verdict.language,
    )
    _save(correction, user)
    return correction


def make_move(
    obj: Claim | Verdict,
    *,
    user: AbstractBaseUser,
    move: Move,
    reason: str = "",
    assignee: AbstractBaseUser | None = None,
) -> Claim | Verdict:
    """Make ``move`` on a claim or a verdict, for interfaces that offer moves by name (admin actions, the
    verdict page, the API's move actions); returns the record it leaves: a new draft for a correction."""
    makers = {
        Move.MARK_CHECKWORTHY: lambda: claim_mark_checkworthy(claim=obj, user=user),
        Move.REJECT: lambda: claim_reject(claim=obj, user=user, reason=reason),
        Move.ASSIGN: lambda: claim_assign(claim=obj, user=user, assignee=assignee),
        Move.SUBMIT: lambda: verdict_submit(verdict=obj, user=user),
        Move.SEND_BACK: lambda: verdict_send_back(verdict=obj, user=user),
        Move.PUBLISH: lambda: verdict_publish(verdict=obj, editor=user),
        Move.RETRACT: lambda: verdict_retract(verdict=obj, editor=user, reason=reason),
        Move.CORRECT: lambda: verdict_correct(verdict=obj, user=user),
    }
    if move not in _rules_of(obj) or move not in makers:
        raise ValueError(f"make_move does not {move} a {type(obj).__name__.lower()}.")
    return makers[move]()
