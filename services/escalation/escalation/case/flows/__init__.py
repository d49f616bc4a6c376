"""The case package's flows: the needs that span aggregates, one module each.

``opening`` (a case opened or joined: its escalation started, its hot spot linked, the police alerted),
``handling`` (acknowledged, moved on, changed, closed: the escalation follows), ``changes`` (a change that
matters, re-escalated by policy), ``lifecycle`` (merge, links, reopen), ``visits`` (intake's visits) and
``corrections`` (a visit voided or corrected). The case service stays a leaf under them.
"""
