"""The one place that runs SQL for the analysis: GROUP BY in the database, small rows out.

``responses`` counts answers and respondents; ``cases`` counts cases for Decision 766 and the
annual report. Callers use ``load.<function>`` and need not know which file holds it.
"""

from survey.analysis.load.cases import case_counts, case_statistics
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

__all__ = ["answer_tallies", "case_counts", "case_statistics", "comments", "display_names",
           "excluded_count", "group_labels", "local_date", "local_month", "overall_share",
           "period_counts", "response_counts", "unit_parents"]
