"""Names people read for the service's codes (draft status, sign-off decision, roles, routes),
English here and shown in the interface language through the service's catalog. The core's
tables (categories, verdicts, severities, platforms, fields) are in ``screener.labels``.
"""

from __future__ import annotations

from pathlib import Path

from screener.i18n import N_

# The service's gettext catalog: its pages and error messages (the core's catalog holds the
# names in ``screener.labels``).
SERVICE_CATALOG = (Path(__file__).resolve().parent / "locale", "service")

STATUS = {"pending": N_("Waiting for sign-off"), "approved": N_("Approved"),
          "changes_requested": N_("Changes requested"), "rejected": N_("Rejected"),
          "published": N_("Published")}
DECISION = {"approve": N_("Approve for publication"), "changes": N_("Request changes"),
            "reject": N_("Reject")}
# The paper file's 审核意见: the three boxes of the opinion block.
OPINION = {"approve": N_("Agree to publish"), "changes": N_("Publish after changes"),
           "reject": N_("Do not publish")}
ROLE = {"operator": N_("Operator"), "responsible": N_("Responsible person"),
        "unit_head": N_("Unit head"), "maintainer": N_("Lexicon maintainer"),
        "admin": N_("Dean's office")}
ACCOUNT_ROLE = {"first_responsible": N_("Unit head"), "responsible": N_("Responsible person"),
                "operator": N_("Operator")}
ACCOUNT_STATUS = {"applied": N_("Applied for, awaiting approval"),
                  "rejected": N_("Not approved"), "active": N_("In operation"),
                  "closing": N_("Closing"), "closed": N_("Closed")}
ROUTE = {"responsible": N_("Signed off by the account's responsible person"),
         "dean": N_("Major matter: released by the dean's office (article 13)")}
RECHECK_DECISION = {"keep": N_("Keep"), "take_down": N_("Take down")}
ASSET_STATUS = {"active": N_("In use"), "retired": N_("Retired")}

__all__ = ["ACCOUNT_ROLE", "ACCOUNT_STATUS", "ASSET_STATUS", "DECISION", "OPINION",
           "RECHECK_DECISION", "ROLE", "ROUTE", "SERVICE_CATALOG", "STATUS"]
