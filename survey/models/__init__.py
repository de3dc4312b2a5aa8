"""Database models, one module per aggregate."""

from survey.models.org import Counter, Procedure, RevokedSurveyCode, Role, Unit, User, unit_procedures
from survey.models.questionnaires import Questionnaire, QuestionnaireVersion
from survey.models.responses import Answer, Channel, Response, TransactionToken

__all__ = [
    "Answer",
    "Channel",
    "Counter",
    "Procedure",
    "Questionnaire",
    "QuestionnaireVersion",
    "Response",
    "RevokedSurveyCode",
    "Role",
    "TransactionToken",
    "Unit",
    "User",
    "unit_procedures",
]
