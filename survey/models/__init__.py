"""Database models, one module per aggregate."""

from survey.models.audit import AuditEvent, AuditHead
from survey.models.cases import (
    Attachment,
    Case,
    CaseChannel,
    CaseContact,
    CaseKind,
    CaseMessage,
    CasePause,
    CaseState,
    CaseWithdrawal,
    DenouncerIdentity,
    ExtensionRequest,
    Milestone,
    MilestoneChange,
    PauseKind,
    Visibility,
)
from survey.models.mail import OutboxMail
from survey.models.org import (
    Counter,
    Procedure,
    RevokedSurveyCode,
    Role,
    Unit,
    User,
    unit_procedures,
)
from survey.models.quality import (
    FlagScan,
    ResponseExclusion,
    ResponseFlag,
    TransactionCount,
)
from survey.models.questionnaires import Questionnaire, QuestionnaireVersion
from survey.models.responses import Answer, Channel, Response, TransactionToken
from survey.models.rules import CalendarOverride, ConflictOfInterest, DayKind, RoutingRule
from survey.models.settings import Setting

__all__ = [
    "Answer",
    "Attachment",
    "AuditEvent",
    "AuditHead",
    "CalendarOverride",
    "Case",
    "CaseChannel",
    "CaseContact",
    "CaseKind",
    "CaseMessage",
    "CasePause",
    "CaseState",
    "CaseWithdrawal",
    "ConflictOfInterest",
    "DayKind",
    "DenouncerIdentity",
    "ExtensionRequest",
    "Milestone",
    "MilestoneChange",
    "PauseKind",
    "OutboxMail",
    "RoutingRule",
    "Setting",
    "Visibility",
    "Channel",
    "Counter",
    "Procedure",
    "Questionnaire",
    "QuestionnaireVersion",
    "Response",
    "ResponseExclusion",
    "ResponseFlag",
    "FlagScan",
    "TransactionCount",
    "RevokedSurveyCode",
    "Role",
    "TransactionToken",
    "Unit",
    "User",
    "unit_procedures",
]
