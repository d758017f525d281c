"""Display text for the wire's enums and states (codes stay codes; labels are translated).

Each label is marked with N_ for extraction and translated when a page is rendered."""

from __future__ import annotations

from exchange.policy.records import RECORD_FIELDS


def N_(message: str) -> str:
    return message


CATEGORIES = {
    1: N_("Release notice"),
    2: N_("Transfer notice"),
    3: N_("Escape"),
    4: N_("Recruitment activity"),
    5: N_("Contraband communication device"),
    6: N_("Threat to staff"),
    7: N_("Coordinated disturbance"),
    8: N_("Extremist material"),
    9: N_("Visitor of concern"),
    10: N_("Other"),
}
RISKS = {1: N_("Low"), 2: N_("Medium"), 3: N_("High"), 4: N_("Critical")}
HANDLING_CODES = {1: "H0", 2: "H1", 3: "H2", 4: "H3"}
HANDLING = {
    1: N_("H0: use only for the purpose it was given for"),
    2: N_("H1: no judicial use without the origin's permission"),
    3: N_("H2: no onward sharing without the origin's permission"),
    4: N_("H3: other conditions (see the note)"),
}
STATES = {
    "sent": N_("sent"),
    "received": N_("received"),
    "queued": N_("queued"),
    "approved": N_("approved"),
    "denied": N_("denied"),
    "refused": N_("refused"),
    "answered": N_("answered"),
    "overdue": N_("overdue"),
}
ROLES = {
    "administrator": N_("administrator"),
    "publisher": N_("publisher"),
    "officer": N_("officer"),
    "approver": N_("approver"),
    "auditor": N_("auditor"),
}
SEXES = {"": N_("not given"), "m": N_("male"), "f": N_("female")}
# Fields an approver may release, in the order the approval form lists them.
RELEASABLE = sorted(RECORD_FIELDS)

# Text a page passes through gettext from a variable (titles, fallbacks), marked here.
MARKED = (
    N_("Refused"),
    N_("Form refused"),
    N_("Signed out"),
    N_("unknown"),
    N_("no handling code"),
)
