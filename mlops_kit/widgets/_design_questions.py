"""The design form's words: each question as a team reads it, and the form's sections.

:data:`QUESTIONS` words each answer of :class:`~mlops_kit.course.DesignAnswers` as a
question; :data:`SECTIONS` groups them under a heading and one sentence, in the order
:class:`~mlops_kit.widgets.DesignForm` (``_design_form``) shows them.
"""

from __future__ import annotations

__all__ = ["QUESTIONS", "SECTIONS"]

#: Each question in words, by the name of its answer.
QUESTIONS: dict[str, str] = {
    "team": "Your team's name",
    "members": "Team members (names, separated by commas)",
    "decisions_about_people": "Does the tool affect decisions about people?",
    "approvers": "Who may approve a new version? (names, separated by commas)",
    "approver_role": "The approver's role",
    "senior_responsible_owner": "Senior responsible owner (a role)",
    "owner": "The team that owns the tool",
    "contact_email": "Contact email address",
    "positive_is": "Does a flag help or harm the person?",
    "model": "Model family",
    "tuning_metric": "Metric the tuning optimises",
    "threshold": "Score at or above which a case is flagged",
    "min_score": "Lowest overall score the gate accepts",
    "min_recall": "Lowest recall the gate accepts",
    "metrics_rationale": "Why these metrics and limits fit the service",
    "protected": "Protected characteristics to compare",
    "four_fifths": "Require the four-fifths rule?",
    "max_equalized_odds_difference": "Largest gap in error rates allowed",
    "min_group_size": "Smallest group judged",
    "no_groups_reason": "If no groups are compared: why",
    "psi_threshold": "When data drift raises an alert",
    "label_delay": "How late the true outcomes arrive",
    "triggers": "What starts retraining",
    "monitoring_owner": "Who reads the alerts, and how quickly",
    "review_cadence": "How often the tool as a whole is reviewed",
    "retraining": "How a challenger is trained",
    "maintenance": "Maintenance, for the transparency record",
    "rollback_when": "When you would roll back",
    "rollback_how": "How: what takes over",
    "rollback_who": "Who decides",
    "exclude": "Columns kept out of training (identifiers)",
    "quasi_identifiers": "Columns that could single a person out in exports",
    "k": "Smallest group in an export",
    "privacy_statement": "Lawful basis, minimisation and access",
    "dpia": "Data protection impact assessment (DPIA)",
    "equality_assessment": "Equality impact assessment",
    "data_sharing": "Data sharing",
    "data_retention": "Data retention",
    "data_access": "Data access",
    "description": "What the tool does and why, for the public",
    "benefit": "The benefit to the public and the service",
    "previous_process": "How it was done before",
    "alternatives_considered": "Alternatives considered",
    "human_oversight": "Human oversight",
    "required_training": "Training for staff",
    "appeals": "How a person can challenge a decision",
    "out_of_scope_uses": "Uses it must never be put to (one a line)",
    "ethical_considerations": "Ethical considerations (one a line)",
    "caveats": "Caveats",
    "risk_name": "The main risk",
    "risk": "What could go wrong, and for whom",
    "risk_mitigation": "What the design does about it",
}


#: The form's sections: heading, one sentence, and the questions in order.
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Your team", "Who you are and who holds each role card.", ("team", "members")),
    (
        "Who signs off",
        "A named person signs off every new version of a tool that affects people.",
        (
            "decisions_about_people",
            "approvers",
            "approver_role",
            "senior_responsible_owner",
            "owner",
            "contact_email",
        ),
    ),
    (
        "The model and its gate",
        "What the model optimises and the floors a new version must clear.",
        (
            "positive_is",
            "model",
            "tuning_metric",
            "threshold",
            "min_score",
            "min_recall",
            "metrics_rationale",
        ),
    ),
    (
        "Fairness",
        "Which groups are compared and the limits the gate applies.",
        (
            "protected",
            "four_fifths",
            "max_equalized_odds_difference",
            "min_group_size",
            "no_groups_reason",
        ),
    ),
    (
        "Monitoring and retraining",
        "What watches the model after launch, and what starts a retraining.",
        (
            "psi_threshold",
            "label_delay",
            "triggers",
            "monitoring_owner",
            "review_cadence",
            "retraining",
            "maintenance",
        ),
    ),
    (
        "Rollback",
        "The way back if the model goes wrong.",
        ("rollback_when", "rollback_how", "rollback_who"),
    ),
    (
        "Privacy",
        "What the model may not see, and who may see the data.",
        (
            "exclude",
            "quasi_identifiers",
            "k",
            "privacy_statement",
            "dpia",
            "equality_assessment",
            "data_sharing",
            "data_retention",
            "data_access",
        ),
    ),
    (
        "Transparency for the public",
        "The sentences of the model card and transparency record.",
        (
            "description",
            "benefit",
            "previous_process",
            "alternatives_considered",
            "human_oversight",
            "required_training",
            "appeals",
            "out_of_scope_uses",
            "ethical_considerations",
            "caveats",
            "risk_name",
            "risk",
            "risk_mitigation",
        ),
    ),
)
