"""One JSON shape for every error the API answers.

Every error body is ``{"status": 400, "detail": "...", "errors": [{"field": ..., "code": ..., "message": ...}]}``;
``field`` names the offending field as a dotted path (``topics.1``), or is null when the error
is about the request as a whole.
"""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from claims import workflow
from claims.intake.article_intake import ArticleRefused
from claims.intake.pages import FetchError, UrlRefused


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record changed since you read it: fetch it again and reapply your change."
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send the ETag you read in an If-Match header, so that no one else's change is overwritten."
    default_code = "precondition_required"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class WorkflowConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "illegal_move"


class IntakeFailed(exceptions.APIException):
    """An article that was not added (``claims.intake.article_intake``): its status says whose fault it is."""

    default_code = "intake_failed"

    def __init__(self, status_code: int, field: str, message: str, code: str):
        self.status_code = status_code
        super().__init__({field: [exceptions.ErrorDetail(message, code=code)]}, code)


# An address intake does not fetch is the caller's to change (400); a page the remote site did not give is
# the site's failure, passed on as a gateway's (502); a page read but not an article, or without a date,
# cannot be processed as sent (422).
INTAKE_STATUSES = ((UrlRefused, 400), (FetchError, 502), (ArticleRefused, 422))


def _as_api_exception(exc):
    """Errors raised below the API (request size, model validation, workflow) in the API's own terms."""
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge(f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.")
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, workflow.NotAllowedError):
        return exceptions.PermissionDenied(str(exc))
    if isinstance(exc, workflow.IllegalMoveError):
        return WorkflowConflict(str(exc))
    if isinstance(exc, workflow.ConflictError):
        return WorkflowConflict(str(exc), code="conflict")
    if isinstance(exc, workflow.WorkflowError):
        return exceptions.ValidationError({"reason": [str(exc)]})
    for kind, status_code in INTAKE_STATUSES:
        if isinstance(exc, kind):
            return IntakeFailed(status_code, getattr(exc, "field", "url"), str(exc), exc.code)
    return exc


def _flatten(detail, path=()):
    """Yield (field path, ErrorDetail) for a DRF error structure of nested dicts and lists."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            # A model's errors about the record as a whole (a constraint on several fields) come as "__all__".
            whole = key in ("non_field_errors", "detail", NON_FIELD_ERRORS)
            yield from _flatten(value, path if whole else (*path, str(key)))
    elif isinstance(detail, list):
        nested = any(isinstance(item, dict | list) for item in detail)
        for index, item in enumerate(detail):
            yield from _flatten(item, (*path, str(index)) if nested else path)
    else:
        yield ".".join(path) or None, detail


API_PREFIX = "/api/"


def is_api_request(request) -> bool:
    """Whether an answer made outside DRF's views should be the API's JSON error rather than a page."""
    return request.path_info.startswith(API_PREFIX)


def error_body(status_code: int, errors: list[dict]) -> dict:
    """The body of every API error; ``detail`` repeats the first error's message."""
    return {"status": status_code, "detail": errors[0]["message"], "errors": errors}


def error_response(status_code: int, *, code: str, message: str, headers: dict | None = None) -> JsonResponse:
    """An error about the request as a whole, for answers made outside DRF's views (``factcheck.middleware``)."""
    body = error_body(status_code, [{"field": None, "code": code, "message": message}])
    return JsonResponse(body, status=status_code, headers=headers)


def exception_handler(exc, context):
    response = drf_exception_handler(_as_api_exception(exc), context)
    if response is None:
        return None
    errors = [
        {"field": field, "code": getattr(detail, "code", "error"), "message": str(detail)}
        for field, detail in _flatten(response.data)
    ]
    response.data = error_body(response.status_code, errors)
    return response
