"""Learning from the reviewers over HTTP: the 漏报 (missed category) report on a draft, the
feedback counts, the models and their comparison, and putting a model in force.

Routes parse and call ``usecases.feedback`` / ``usecases.models`` (which authorize, record and
audit) or ``queries.learning``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from .api import Caller, Svc
from .queries import learning as learning_queries
from .schemas import MissedIn, ModelChangeIn
from .usecases import feedback, models

router = APIRouter(prefix="/api")


@router.post("/drafts/{draft_id}/missed", tags=["drafts"], status_code=201,
             summary="Report a category the tools missed on a draft (漏报; whoever signs it off)")
def report_missed(draft_id: int, body: MissedIn, p: Caller, svc: Svc) -> dict[str, Any]:
    return feedback.report_missed(svc, p, draft_id, report_id=body.report_id,
                                  category=body.category, text=body.text, comment=body.comment)


@router.get("/feedback", tags=["learning"],
            summary="Reviewers' feedback per category and week (maintainer, admin)")
def feedback_summary(p: Caller, svc: Svc) -> dict[str, Any]:
    return learning_queries.feedback_summary(svc, p)


@router.get("/models", tags=["learning"],
            summary="The models, the one in force and the newest candidate's comparison "
                    "(maintainer, admin)")
def models_state(p: Caller, svc: Svc) -> dict[str, Any]:
    return learning_queries.models(svc, p)


@router.post("/models/{version}/promote", tags=["learning"],
             summary="Put a model in force (maintainer; a reason is required, audited)")
def promote(version: str, body: ModelChangeIn, p: Caller, svc: Svc) -> dict[str, Any]:
    return models.promote(svc, p, version, body.reason)


@router.post("/models/rollback", tags=["learning"],
             summary="Go back to the model in force before the last promotion (maintainer)")
def rollback(body: ModelChangeIn, p: Caller, svc: Svc) -> dict[str, Any]:
    return models.rollback(svc, p, body.reason)
