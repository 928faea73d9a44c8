"""Approval form: a named person signs off a model version the gate would not promote.

The model is :func:`sign_off` (``_sign_off``), a plain function that applies the governance rules
(:func:`mlops_kit.governance.approve`: a named approver, not the person who trained the
model, with a written justification), records the sign-off through the registry and
returns a frozen :class:`SignOff` naming the audit entry that proves it. The view is
:class:`ApprovalForm`: the gate's checks in words, labelled fields for the approver's
name, role, justification and decision, and a Submit button that calls
:func:`sign_off` and shows the recorded sign-off, or every rule broken, in words.

Two decisions are possible:

* **approve** (an *approval* when the gate asked for a person, an *override* when it
  refused): :meth:`mlops_kit.registry.Registry.approve` records it in the audit log and
  moves the ``champion`` alias to the version;
* **decline**: :meth:`mlops_kit.registry.Registry.decline` records the refusal to
  promote it in the audit log (event ``declined``) with the same rules, so that saying
  no is as accountable as saying yes; the version stays where it is.

The approver's role is recorded with either decision, as its own audit detail.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from ..errors import ApprovalError, MlopsKitError
from ..governance import GateDecision
from ._sign_off import SignOff, _audit_log, sign_off
from ._static import StaticSnapshot

__all__ = ["ApprovalForm", "gate_html"]


def gate_html(gate: GateDecision) -> str:
    """The gate's decision and checks in words: failed and unjudged first, then passed."""
    esc = html.escape
    reasons = "".join(f"<li>{esc(r)}</li>" for r in gate.reasons)

    def items(checks: Any) -> str:
        return "".join(
            f"<li><strong>{c.status}:</strong> {esc(c.name)}. {esc(c.explanation)}</li>"
            for c in checks
        )

    passed = [c for c in gate.checks if c.passed is True]
    parts = [
        f"<p><strong>The gate decided: {esc(gate.decision.value)}.</strong> "
        f"The model was trained by {esc(gate.trained_by)}, who may not sign it off.</p>",
        f"<ul>{reasons}</ul>",
    ]
    if gate.failing_checks:
        parts.append(f"<p>Checks that failed:</p><ul>{items(gate.failing_checks)}</ul>")
    if gate.unjudged_checks:
        parts.append(
            "<p>Checks that cannot be judged from the data:</p>"
            f"<ul>{items(gate.unjudged_checks)}</ul>"
        )
    if passed:
        parts.append(
            f"<details><summary>{len(passed)} checks passed (show)</summary>"
            f"<ul>{items(passed)}</ul></details>"
        )
    return "".join(parts)


def _intro(model_name: str, version: int, gate: GateDecision) -> list[widgets.Widget]:
    """The form's heading, the gate's checks in words and the rules of a sign-off."""
    heading = widgets.HTML(
        value=f"<h3>Sign-off for {html.escape(model_name)} version {int(version)}</h3>"
    )
    checks = widgets.HTML(value=gate_html(gate))
    checks.add_class("mlops-approval-checks")
    rules = widgets.HTML(
        value=(
            "<p>The rules: the approver is a named person who did not train the model "
            f"({html.escape(gate.trained_by)}), gives their role, and writes a "
            "justification of at least 20 characters. "
            + (
                "The use is high-impact, so a named person must always sign off. "
                if gate.high_impact
                else ""
            )
            + "Approving makes this version the champion; declining leaves it as it is. "
            "Both are recorded in the audit log.</p>"
        )
    )
    rules.add_class("mlops-approval-rules")
    return [heading, checks, rules]


class ApprovalForm(StaticSnapshot, widgets.VBox):
    """A sign-off form for one model version: the gate's checks, then the approver's decision.

    Shows the gate's decision and each check in words, the governance rules, and
    labelled fields: the approver's name, their role, a written justification and a
    decision (approve, or override a refusal; or decline). Submit calls
    :func:`sign_off` and shows the recorded sign-off (audit entry and alias moved) or
    every rule broken, in words. Everything works with the keyboard (Tab between
    fields, arrow keys for the decision, Enter or Space on Submit). After a sign-off
    is recorded the form is locked, so it is not recorded twice.

    Parameters
    ----------
    registry : mlops_kit.registry.Registry
        With an audit log.
    model_name : str
    version : int

    Attributes
    ----------
    approver_field, role_field : ipywidgets.Text
    justification_field : ipywidgets.Textarea
    decision_buttons : ipywidgets.RadioButtons
        Values "approve" and "decline"; nothing is chosen at first.
    submit_button : ipywidgets.Button
    gate : GateDecision
        The gate's decision on the version.
    result : SignOff or None
        The recorded sign-off; ``None`` until one is recorded.
    problems : tuple of str
        The rules the last submission broke (empty after a success).

    Raises
    ------
    ArtefactError
        No such version, or it has no recorded gate decision.
    ConfigError
        The registry has no audit log.
    """

    def __init__(self, registry: Any, model_name: str, version: int) -> None:
        _audit_log(registry)
        self._registry, self._registered_model, self._version = registry, model_name, version
        self._gate: GateDecision = registry.gate_decision(model_name, version)
        self._result: SignOff | None = None
        self._problems: tuple[str, ...] = ()
        gate = self._gate
        intro = _intro(model_name, version, gate)
        self._build_fields(refused=gate.decision.value == "refuse")
        self._submit.on_click(lambda _button: self.submit())
        super().__init__(
            children=[
                *intro,
                self._approver,
                self._role,
                self._justification,
                self._decision,
                self._signer,
                self._submit,
                self._status,
            ]
        )
        self.add_class("mlops-approval-form")
        if not gate.needs_person:
            self._lock()
            self._status.value = (
                "<p>The gate promoted this version on its own: there is nothing to sign off.</p>"
            )

    def _build_fields(self, *, refused: bool) -> None:
        """The labelled fields, the decision, Submit, and the status and signer lines."""
        wide = widgets.Layout(width="min(40em, 100%)")
        style = {"description_width": "initial"}
        # The fields send their text once, when they lose focus. Sent keystroke by
        # keystroke, the browser holds back later keystrokes while one is in flight but
        # sends a click at once, so a quick Submit recorded a name cut short ("C" for
        # "Cy Approver"; ipywidgets issue 252). Leaving a field always comes first.
        self._approver = widgets.Text(
            description="Approver's full name",
            description_allow_html=False,
            placeholder="e.g. Sam Lee",
            continuous_update=False,
            style=style,
            layout=wide,
        )
        self._role = widgets.Text(
            description="Approver's role",
            description_allow_html=False,
            placeholder="e.g. Head of Benefit Policy",
            continuous_update=False,
            style=style,
            layout=wide,
        )
        self._justification = widgets.Textarea(
            description="Written justification",
            description_allow_html=False,
            placeholder="Why this decision? At least 20 characters.",
            continuous_update=False,
            style=style,
            layout=widgets.Layout(width="min(40em, 100%)", height="6em"),
        )
        approve_label = (
            "Override the refusal: make it the champion"
            if refused
            else "Approve: make it the champion"
        )
        self._decision = widgets.RadioButtons(
            options=[(approve_label, "approve"), ("Decline: do not promote it", "decline")],
            value=None,
            description="Decision",
            description_allow_html=False,
            style=style,
            layout=widgets.Layout(width="auto"),
        )
        self._submit = widgets.Button(
            description="Submit sign-off",
            tooltip="Record your decision in the audit log",
            icon="check",
            button_style="primary",
        )
        self._status = widgets.HTML(value="")
        # Who the kernel will record, as soon as a field is left: a person sees the name
        # that will go into the audit log before pressing Submit.
        self._signer = widgets.HTML(value="")
        for field in (self._approver, self._role):
            field.observe(lambda _change: self._show_signer(), names="value")
        self._show_signer()
        for widget, css in (
            (self._approver, "mlops-approval-approver"),
            (self._role, "mlops-approval-role"),
            (self._justification, "mlops-approval-justification"),
            (self._decision, "mlops-approval-decision"),
            (self._submit, "mlops-approval-submit"),
            (self._status, "mlops-approval-status"),
            (self._signer, "mlops-approval-signer"),
        ):
            widget.add_class(css)

    @property
    def approver_field(self) -> widgets.Text:
        """The approver's name."""
        return self._approver

    @property
    def role_field(self) -> widgets.Text:
        """The approver's role."""
        return self._role

    @property
    def justification_field(self) -> widgets.Textarea:
        """The written justification."""
        return self._justification

    @property
    def decision_buttons(self) -> widgets.RadioButtons:
        """The decision: "approve" or "decline"."""
        return self._decision

    @property
    def submit_button(self) -> widgets.Button:
        """The Submit button."""
        return self._submit

    @property
    def gate(self) -> GateDecision:
        """The gate's decision on the version."""
        return self._gate

    @property
    def result(self) -> SignOff | None:
        """The recorded sign-off, or ``None``."""
        return self._result

    @property
    def problems(self) -> tuple[str, ...]:
        """The rules the last submission broke."""
        return self._problems

    @property
    def signer(self) -> str:
        """Who Submit would record, in words (updated when a name or role field is left)."""
        return self._signer_text

    def _show_signer(self) -> None:
        name, role = self._approver.value.strip(), self._role.value.strip()
        if not name:
            self._signer_text = "Signing as: nobody yet (type your full name above)."
        else:
            self._signer_text = f"Signing as: {name}" + (f" ({role})." if role else ".")
        self._signer.value = f"<p>{html.escape(self._signer_text)}</p>"

    def _lock(self) -> None:
        for widget in (self._approver, self._role, self._justification, self._decision):
            widget.disabled = True
        self._submit.disabled = True

    def submit(self) -> SignOff | None:
        """Record the sign-off (what Submit does); return it, or None if a rule is broken."""
        if self._result is not None:
            return self._result
        if self._decision.value is None:
            self._problems = ("Choose a decision: approve or decline.",)
            self._status.value = "<p>✗ Not recorded yet: choose a decision, approve or decline.</p>"
            return None
        try:
            result = sign_off(
                self._registry,
                self._registered_model,
                self._version,
                approver=self._approver.value,
                role=self._role.value,
                justification=self._justification.value,
                decision=self._decision.value,
            )
        except ApprovalError as exc:
            self._problems = tuple(exc.problems)
            count = len(self._problems)
            items = "".join(f"<li>{html.escape(p)}</li>" for p in self._problems)
            self._status.value = (
                f"<p>✗ Not recorded: the sign-off breaks {count} "
                f"rule{'s' if count != 1 else ''}. Correct "
                f"{'them' if count != 1 else 'it'} and submit again.</p><ul>{items}</ul>"
            )
            return None
        except MlopsKitError as exc:
            self._problems = (str(exc),)
            self._status.value = f"<p>✗ Not recorded: {html.escape(str(exc))}</p>"
            return None
        self._result, self._problems = result, ()
        self._lock()
        self._status.value = f"<p>✓ {html.escape(result.summary())}</p>"
        return result

    def _snapshot_text(self) -> str:
        head = (
            f"Approval form for {self._registered_model} version {self._version}: the gate decided "
            f"'{self._gate.decision.value}' ({len(self._gate.failing_checks)} checks failed, "
            f"{len(self._gate.unjudged_checks)} cannot be judged)."
        )
        if self._result is not None:
            return f"{head} {self._result.summary()}"
        return f"{head} Not signed off yet."

    def _snapshot_html(self) -> str:
        state = (
            html.escape(self._result.summary())
            if self._result is not None
            else "Not signed off yet."
        )
        return (
            f"<p><strong>Approval form for {html.escape(self._registered_model)} version "
            f"{self._version}</strong></p>{gate_html(self._gate)}<p>{state}</p>"
        )
