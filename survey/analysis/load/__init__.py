"""The one place that runs SQL for the analysis: GROUP BY in the database, small rows out.

``responses`` counts answers and respondents; ``cases`` counts cases for Decision 766 and the
annual report; ``quality`` counts flagged and excluded responses; ``transactions`` sums the
transaction counts a response rate divides by. Callers use ``load.<function>`` and need not
know which file holds it.
"""

from survey.analysis.load.cases import case_counts, case_statistics
from survey.analysis.load.quality import flag_counts
from survey.analysis.load.responses import (
    answer_tallies,
    comments,
    display_names,
    excluded_count,
    group_labels,
    local_date,
    local_month,
    overall_share,
    period_counts,
    response_counts,
    unit_parents,
)
from survey.analysis.load.transactions import transaction_months

__all__ = ["answer_tallies", "case_counts", "case_statistics", "comments", "display_names",
           "excluded_count", "flag_counts", "group_labels", "local_date", "local_month",
           "overall_share", "period_counts", "response_counts", "transaction_months",
           "unit_parents"]
