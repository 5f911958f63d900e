"""Who may move a claim or a verdict from one state to the next (DESIGN.md, section 3).

The admin, the API and the management commands call these functions and nothing else to change a
status. Each one locks the rows it moves, checks the move and the user's right to make it, and
raises a ``WorkflowError`` that names the current state and the allowed moves when it is refused.
Every function returns the saved object; the instance passed in is not updated.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from claims.models import Claim, StaleVersionError, Verdict

ClaimStatus = Claim.Status
VerdictStatus = Verdict.Status


@dataclass(frozen=True)
class Move:
    name: str
    permission: str  # codename in the claims app
    edges: dict[str, str]  # state it may start from -> state it leads to
    needs_reason: bool = False  # kept on record with the change


def _table(*moves: Move) -> dict[str, Move]:
    return {move.name: move for move in moves}


CLAIM_MOVES = _table(
    Move(
        "mark check-worthy",
        "triage_claim",
        {ClaimStatus.NEW: ClaimStatus.CHECKWORTHY, ClaimStatus.REJECTED: ClaimStatus.CHECKWORTHY},
    ),
    Move(
        "reject",
        "triage_claim",
        {ClaimStatus.NEW: ClaimStatus.REJECTED, ClaimStatus.CHECKWORTHY: ClaimStatus.REJECTED},
        needs_reason=True,
    ),
    # Taking a claim yourself needs only the right to review; assigning others needs ASSIGN_OTHERS.
    Move(
        "assign",
        "add_verdict",
        {ClaimStatus.CHECKWORTHY: ClaimStatus.ASSIGNED, ClaimStatus.ASSIGNED: ClaimStatus.ASSIGNED},
    ),
    Move(
        "draft a verdict",
        "add_verdict",
        {
            ClaimStatus.ASSIGNED: ClaimStatus.ASSIGNED,
            ClaimStatus.IN_REVIEW: ClaimStatus.IN_REVIEW,
            ClaimStatus.PUBLISHED: ClaimStatus.PUBLISHED,
        },
    ),
)
VERDICT_MOVES = _table(
    Move("submit for review", "change_verdict", {VerdictStatus.DRAFT: VerdictStatus.IN_REVIEW}),
    Move("send back", "publish_verdict", {VerdictStatus.IN_REVIEW: VerdictStatus.DRAFT}),
    Move("publish", "publish_verdict", {VerdictStatus.IN_REVIEW: VerdictStatus.PUBLISHED}),
    Move("retract", "retract_verdict", {VerdictStatus.PUBLISHED: VerdictStatus.RETRACTED}, needs_reason=True),
    Move("correct", "add_verdict", {VerdictStatus.PUBLISHED: VerdictStatus.PUBLISHED}),
)
ASSIGN_OTHERS = "assign_claim"


class WorkflowError(Exception):
    """A move that is refused: illegal from the current state, or not allowed to this user."""


class IllegalMoveError(WorkflowError):
    pass


class NotAllowedError(WorkflowError):
    pass


class ConflictError(WorkflowError):
    """Someone else changed the record after the caller read it."""


def _moves_table(obj: Claim | Verdict) -> dict[str, Move]:
    return CLAIM_MOVES if isinstance(obj, Claim) else VERDICT_MOVES


def moves_from(obj: Claim | Verdict) -> list[str]:
    """The moves that the object's current state allows, whoever asks."""
    return [move.name for move in _moves_table(obj).values() if obj.status in move.edges]


def role_allows(user: AbstractBaseUser, move_name: str) -> bool:
    """Whether the user's role allows the move at all, whatever the state of a record."""
    move = CLAIM_MOVES.get(move_name) or VERDICT_MOVES[move_name]
    return user.has_perm(f"claims.{move.permission}")


def moves_for(obj: Claim | Verdict, user: AbstractBaseUser) -> list[str]:
    """The moves from the current state that the user's role allows (four eyes is checked on the move)."""
    return [name for name in moves_from(obj) if role_allows(user, name)]


def _check(move_name: str, obj: Claim | Verdict, user: AbstractBaseUser, reason: str = "") -> str:
    """Refuse the move unless the user's role, the object's state and the reason given allow it.

    Returns the state the move leads to.
    """
    move = _moves_table(obj)[move_name]
    label = type(obj).__name__.lower()
    if not role_allows(user, move_name):
        raise NotAllowedError(f"{user} may not {move_name} {label} {obj.pk}: their role does not allow it.")
    if obj.status not in move.edges:
        state = obj.get_status_display().lower()
        allowed = ", ".join(moves_from(obj)) or "none"
        raise IllegalMoveError(f"Cannot {move_name} {label} {obj.pk}: it is {state}. Allowed from {state}: {allowed}.")
    if move.needs_reason and not reason.strip():
        raise WorkflowError(f"Cannot {move_name} {label} {obj.pk} without a reason.")
    return move.edges[obj.status]


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
    claim.status = _check("mark check-worthy", claim, user)
    claim.rejection_reason = ""
    _save(claim, user)
    return claim


@transaction.atomic
def claim_reject(*, claim: Claim, user: AbstractBaseUser, reason: str) -> Claim:
    claim = _lock_claim(claim)
    claim.status = _check("reject", claim, user, reason)
    claim.rejection_reason = reason.strip()
    _save(claim, user)
    return claim


@transaction.atomic
def claim_assign(*, claim: Claim, user: AbstractBaseUser, assignee: AbstractBaseUser) -> Claim:
    """Give a claim to a reviewer: anyone who reviews may take one, only editors assign others."""
    claim = _lock_claim(claim)
    claim.status = _check("assign", claim, user)
    if assignee.pk != user.pk and not user.has_perm(f"claims.{ASSIGN_OTHERS}"):
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
    _check("draft a verdict", claim, user)


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
    verdict.status = _check("submit for review", verdict, user)
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
    verdict.status = _check("send back", verdict, user)
    _save(verdict, user)
    claim = _lock_claim(verdict.claim)
    if claim.status == ClaimStatus.IN_REVIEW and not claim.verdicts.filter(status=VerdictStatus.IN_REVIEW).exists():
        _set_claim_status(claim, ClaimStatus.ASSIGNED, user)
    return verdict


@transaction.atomic
def verdict_publish(*, verdict: Verdict, editor: AbstractBaseUser) -> Verdict:
    """Approve and publish a verdict in review: only an editor who did not write it may."""
    verdict = _lock_verdict(verdict)
    verdict.status = _check("publish", verdict, editor)
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
    verdict.status = _check("retract", verdict, editor, reason)
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
    _check("correct", verdict, user)
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


def verdict_move(*, verdict: Verdict, user: AbstractBaseUser, move: str, reason: str = "") -> Verdict:
    """Make a verdict move named as in ``VERDICT_MOVES``; returns the verdict it leaves (a new one for "correct")."""
    moves = {
        "submit for review": lambda: verdict_submit(verdict=verdict, user=user),
        "send back": lambda: verdict_send_back(verdict=verdict, user=user),
        "publish": lambda: verdict_publish(verdict=verdict, editor=user),
        "retract": lambda: verdict_retract(verdict=verdict, editor=user, reason=reason),
        "correct": lambda: verdict_correct(verdict=verdict, user=user),
    }
    return moves[move]()
