"""Who may move a claim or a verdict from one state to the next (docs/architecture.md, "The workflow").

The admin, the API and the management commands call these functions and nothing else to change a
status. Each one locks the rows it moves, checks the move and the user's right to make it, and
raises a ``WorkflowError`` that names the current state and the allowed moves when it is refused.
Every function returns the saved object; the instance passed in is not updated. Moves are named
by ``Move``, so that a misspelt move fails where it is written, not when someone makes it.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from claims.models import ChangeKind, Claim, FactCheckEvent, StaleVersionError, Verdict

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
    REINSTATE = "reinstate"
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
    MoveRule(Move.SEND_BACK, "publish_verdict", {VerdictStatus.IN_REVIEW: VerdictStatus.DRAFT}, needs_reason=True),
    MoveRule(Move.PUBLISH, "publish_verdict", {VerdictStatus.IN_REVIEW: VerdictStatus.PUBLISHED}),
    MoveRule(Move.RETRACT, "retract_verdict", {VerdictStatus.PUBLISHED: VerdictStatus.RETRACTED}, needs_reason=True),
    # Never a side effect of another move: an earlier version becomes current again only by this one.
    MoveRule(
        Move.REINSTATE,
        "retract_verdict",
        {VerdictStatus.SUPERSEDED: VerdictStatus.PUBLISHED, VerdictStatus.RETRACTED: VerdictStatus.PUBLISHED},
        needs_reason=True,
    ),
    MoveRule(Move.CORRECT, "add_verdict", {VerdictStatus.PUBLISHED: VerdictStatus.PUBLISHED}, needs_reason=True),
)
# Another fact-checker's verdict is theirs to correct or retract; here it is only recorded.
OWN_ONLY = {Move.RETRACT, Move.REINSTATE, Move.CORRECT}
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
    if move in OWN_ONLY and obj.publisher_name:
        raise IllegalMoveError(
            f"Cannot {move} {label} {obj.pk}: it is {obj.publisher_name}'s fact-check, "
            "recorded here as they published it."
        )
    if rule.needs_reason and not reason.strip():
        raise WorkflowError(f"Cannot {move} {label} {obj.pk} without a reason.")
    return rule.edges[obj.status]


def _lock_claim(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().select_related("source").get(pk=claim.pk)


def _lock_verdict(verdict: Verdict) -> tuple[Claim, Verdict]:
    """The verdict and its claim, locked in that order by every move (claim first: moves that change
    a claim's fact-check lock several of its verdicts, and one order keeps them from deadlocking)."""
    claim = _lock_claim(Claim(pk=verdict.claim_id))
    fresh = Verdict.objects.select_for_update().get(pk=verdict.pk)
    if fresh.version != verdict.version:
        raise ConflictError(
            f"Verdict {verdict.pk} was changed by someone else since you read it "
            f"(version {verdict.version}, now {fresh.version}); reload it and try again."
        )
    fresh.claim = claim
    return claim, fresh


def _save(obj: Claim | Verdict, user: AbstractBaseUser, why: str) -> None:
    """Validate and save, recording in the history who made the change and why."""
    obj.full_clean()
    obj._history_user = user  # the history names who moved it, also outside a web request
    obj._change_reason = why
    try:
        obj.save()
    except StaleVersionError as error:
        raise ConflictError(str(error)) from error


def _because(move: Move, reason: str = "") -> str:
    """A history row's reason: the move, and the reason given for it."""
    return f"{move.capitalize()}: {reason.strip()}" if reason.strip() else move.capitalize()


def _set_claim_status(claim: Claim, status: str, user: AbstractBaseUser, why: str) -> None:
    if claim.status != status:
        claim.status = status
        _save(claim, user, why)


# Claims


@transaction.atomic
def claim_mark_checkworthy(*, claim: Claim, user: AbstractBaseUser) -> Claim:
    claim = _lock_claim(claim)
    claim.status = _check(Move.MARK_CHECKWORTHY, claim, user)
    claim.rejection_reason = ""
    _save(claim, user, _because(Move.MARK_CHECKWORTHY))
    return claim


@transaction.atomic
def claim_reject(*, claim: Claim, user: AbstractBaseUser, reason: str) -> Claim:
    claim = _lock_claim(claim)
    claim.status = _check(Move.REJECT, claim, user, reason)
    claim.rejection_reason = reason.strip()
    _save(claim, user, _because(Move.REJECT, reason))
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
    _save(claim, user, f"Assigned to {assignee}")
    return claim


# Verdicts


@transaction.atomic
def verdict_create(*, verdict: Verdict, author: AbstractBaseUser, evidence=None) -> Verdict:
    """Save a new draft verdict, written by ``author``, on a claim that has been assigned; it cites
    ``evidence`` (some of its claim's), else all the evidence the claim has."""
    ensure_can_draft(claim=_lock_claim(verdict.claim), user=author)
    _refuse_evidence_of_another_claim(evidence, verdict.claim_id)
    verdict.author = author
    verdict.status = VerdictStatus.DRAFT
    _save(verdict, author, "Drafted")
    verdict.contributors.add(author)
    verdict.evidence.set(verdict.claim.evidence.all() if evidence is None else evidence)
    return verdict


def ensure_can_draft(*, claim: Claim, user: AbstractBaseUser) -> None:
    """Refuse to start a verdict on a claim that has not been triaged and assigned, or whose
    published fact-check is to be corrected rather than replaced."""
    _check(Move.DRAFT, claim, user)
    current = claim.verdicts.own().filter(status=VerdictStatus.PUBLISHED).first()
    if current is not None:
        raise IllegalMoveError(
            f"Claim {claim.pk} has a published fact-check (“{current}”): correct it instead of drafting another."
        )


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
    """Change fields of a draft, which stays on its claim, and the evidence it cites (``evidence``:
    some of its claim's). Whoever changes its text or rating has a hand in it and may not approve
    it. Refused with ``ConflictError`` if someone saved it since ``verdict`` was read; every write
    path edits drafts through here."""
    if not may_edit(verdict=verdict, user=user):
        state = verdict.get_status_display().lower()
        raise NotAllowedError(
            f"{user} may not edit verdict {verdict.pk}: it is {state}; only drafts are edited, "
            "by their author or an editor."
        )
    changes = dict(changes)
    columns = [Verdict._meta.get_field(name).attname for name in Verdict.CONTENT_FIELDS]
    stored = Verdict.objects.values("claim", *columns).get(pk=verdict.pk)
    if "claim" in changes and changes["claim"].pk != stored["claim"]:
        raise ValidationError({"claim": "A verdict stays on the claim it was drafted for."})
    cited = changes.pop("evidence", None)
    _refuse_evidence_of_another_claim(cited, stored["claim"])
    for name, value in changes.items():
        setattr(verdict, name, value)
    _save(verdict, user, "Edited")
    if any(getattr(verdict, column) != stored[column] for column in columns):
        verdict.contributors.add(user)
    if cited is not None:
        verdict.evidence.set(cited)
    return verdict


@transaction.atomic
def verdict_submit(*, verdict: Verdict, user: AbstractBaseUser) -> Verdict:
    claim, verdict = _lock_verdict(verdict)
    verdict.status = _check(Move.SUBMIT, verdict, user)
    if verdict.author_id != user.pk and not user.has_perm("claims.publish_verdict"):
        raise NotAllowedError(f"Only the author or an editor may submit verdict {verdict.pk} for review.")
    _require_change_note(verdict)
    _save(verdict, user, _because(Move.SUBMIT))
    if claim.status == ClaimStatus.ASSIGNED:
        _set_claim_status(claim, ClaimStatus.IN_REVIEW, user, f"“{verdict}” submitted for review")
    return verdict


@transaction.atomic
def verdict_send_back(*, verdict: Verdict, user: AbstractBaseUser, reason: str) -> Verdict:
    """Return a verdict in review to its author for changes, saying what to change."""
    claim, verdict = _lock_verdict(verdict)
    verdict.status = _check(Move.SEND_BACK, verdict, user, reason)
    _save(verdict, user, _because(Move.SEND_BACK, reason))
    if claim.status == ClaimStatus.IN_REVIEW and not claim.verdicts.filter(status=VerdictStatus.IN_REVIEW).exists():
        _set_claim_status(claim, ClaimStatus.ASSIGNED, user, f"“{verdict}” sent back")
    return verdict


@transaction.atomic
def verdict_publish(*, verdict: Verdict, editor: AbstractBaseUser) -> Verdict:
    """Approve and publish a verdict in review: only an editor who wrote none of it may.

    It shows the claim as it is now, for good (``Verdict.shown``), at the claim's one address. A
    correction supersedes the version it corrects, which must still be the current one.
    """
    claim, verdict = _lock_verdict(verdict)
    verdict.status = _check(Move.PUBLISH, verdict, editor)
    if verdict.author_id == editor.pk:
        raise NotAllowedError(
            f"{editor} wrote verdict {verdict.pk} and cannot publish it: another editor must approve it."
        )
    if verdict.contributors.filter(pk=editor.pk).exists():
        raise NotAllowedError(
            f"{editor} changed the text or rating of verdict {verdict.pk} and cannot publish it: "
            "another editor must approve it."
        )
    _require_change_note(verdict)
    current = _current_own(claim)
    if verdict.corrects_id and (current is None or current.pk != verdict.corrects_id):
        raise IllegalMoveError(
            f"Cannot publish verdict {verdict.pk}: the version it corrects is no longer the claim's current "
            "fact-check. Start a correction of the current one."
        )
    if not verdict.corrects_id and current is not None:
        raise IllegalMoveError(
            f"Cannot publish verdict {verdict.pk}: claim {claim.pk} has a published fact-check; correct it instead."
        )
    if current is not None:
        current.status = VerdictStatus.SUPERSEDED
        _save(current, editor, f"Superseded by the correction “{verdict}”")
    verdict.approved_by = editor
    verdict.published_at = timezone.now()
    verdict.shown = claim.as_shown()
    if not claim.slug:
        claim.slug = verdict.slug = Verdict.slug_for(pk=verdict.pk, headline=verdict.headline)
    _save(verdict, editor, _because(Move.PUBLISH))
    claim.status = ClaimStatus.PUBLISHED
    claim.refresh_current_verdict()
    _save(claim, editor, f"“{verdict}” published")
    kind = {ChangeKind.CORRECTION: FactCheckEvent.Kind.CORRECTED, ChangeKind.UPDATE: FactCheckEvent.Kind.UPDATED}
    event = kind.get(verdict.change_kind, FactCheckEvent.Kind.PUBLISHED)
    _tell_readers(verdict, event, verdict.change_note, editor, verdict.published_at)
    return verdict


@transaction.atomic
def verdict_retract(*, verdict: Verdict, editor: AbstractBaseUser, reason: str) -> Verdict:
    """Withdraw the claim's published fact-check: its page keeps its address and shows the reason,
    and no earlier version becomes current again (that is ``verdict_reinstate``)."""
    claim, verdict = _lock_verdict(verdict)
    verdict.status = _check(Move.RETRACT, verdict, editor, reason)
    verdict.retraction_reason = reason.strip()
    verdict.retracted_at = timezone.now()
    _save(verdict, editor, _because(Move.RETRACT, reason))
    claim.refresh_current_verdict()
    _save(claim, editor, f"“{verdict}” retracted")
    _tell_readers(verdict, FactCheckEvent.Kind.RETRACTED, verdict.retraction_reason, editor, verdict.retracted_at)
    return verdict


@transaction.atomic
def verdict_reinstate(*, verdict: Verdict, editor: AbstractBaseUser, reason: str) -> Verdict:
    """Make a superseded or retracted version the claim's fact-check again, with the reason readers read;
    the version current until now is superseded."""
    claim, verdict = _lock_verdict(verdict)
    verdict.status = _check(Move.REINSTATE, verdict, editor, reason)
    current = _current_own(claim)
    if current is not None:
        current.status = VerdictStatus.SUPERSEDED
        _save(current, editor, f"Superseded: “{verdict}” reinstated")
    verdict.retracted_at, verdict.retraction_reason = None, ""
    _save(verdict, editor, _because(Move.REINSTATE, reason))
    claim.status = ClaimStatus.PUBLISHED
    claim.refresh_current_verdict()
    _save(claim, editor, f"“{verdict}” reinstated")
    _tell_readers(verdict, FactCheckEvent.Kind.REINSTATED, reason.strip(), editor, timezone.now())
    return verdict


@transaction.atomic
def verdict_correct(*, verdict: Verdict, user: AbstractBaseUser, reason: str) -> Verdict:
    """Start a correction: a new draft that copies a published verdict, its evidence and the reason as
    its note, and supersedes it once published."""
    claim, verdict = _lock_verdict(verdict)
    _check(Move.CORRECT, verdict, user, reason)
    correction = Verdict(
        claim=claim,
        corrects=verdict,
        author=user,
        rating=verdict.rating,
        headline=verdict.headline,
        summary=verdict.summary,
        body=verdict.body,
        language=verdict.language,
        change_kind=ChangeKind.CORRECTION,
        change_note=reason.strip(),
    )
    _save(correction, user, _because(Move.CORRECT, reason))
    correction.contributors.add(user)
    correction.evidence.set(verdict.evidence.all())
    return correction


def _refuse_evidence_of_another_claim(evidence, claim_id: int) -> None:
    if evidence is not None and any(item.claim_id != claim_id for item in evidence):
        raise ValidationError({"evidence": "A verdict cites evidence on its own claim only."})


def _current_own(claim: Claim) -> Verdict | None:
    """The claim's published fact-check of our own, locked."""
    return claim.verdicts.own().filter(status=VerdictStatus.PUBLISHED).select_for_update().first()


def _require_change_note(verdict: Verdict) -> None:
    if verdict.corrects_id and not verdict.change_note.strip():
        raise ValidationError({"change_note": "Say what this version changes and why: readers see it on the page."})


def _tell_readers(verdict: Verdict, kind: str, note: str, editor: AbstractBaseUser, at: datetime) -> None:
    """Add the move to the fact-check's public log of changes."""
    FactCheckEvent.objects.create(claim=verdict.claim, verdict=verdict, kind=kind, note=note, happened_at=at, by=editor)


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
        Move.SEND_BACK: lambda: verdict_send_back(verdict=obj, user=user, reason=reason),
        Move.PUBLISH: lambda: verdict_publish(verdict=obj, editor=user),
        Move.RETRACT: lambda: verdict_retract(verdict=obj, editor=user, reason=reason),
        Move.REINSTATE: lambda: verdict_reinstate(verdict=obj, editor=user, reason=reason),
        Move.CORRECT: lambda: verdict_correct(verdict=obj, user=user, reason=reason),
    }
    if move not in _rules_of(obj) or move not in makers:
        raise ValueError(f"make_move does not {move} a {type(obj).__name__.lower()}.")
    return makers[move]()
