"""The ``mlops-kit`` command line.

Commands
--------
``mlops-kit run --config FILE.yml [--set key=value ...]``
    Run the automated pipeline; the last line printed is the run folder.
``mlops-kit check --config FILE.yml [--set key=value ...]``
    Validate the config and the data without running anything.
``mlops-kit design check FILE.design.yml [FILE ...]``
    Check teams' design files (lesson 10) against the six governance guidelines.
``mlops-kit data list`` / ``mlops-kit data generate --out DIR``
    The bundled datasets, and regenerating their CSVs from the seeded generators.
``mlops-kit models --model NAME``
    The registered versions of a model, their aliases and gate decisions.
``mlops-kit approve --model NAME --version N --approver NAME --justification TEXT [--role R]``
    A named person's approval: promotes the version to champion (recorded in the audit log).
``mlops-kit decline --model NAME --version N --reviewer NAME --justification TEXT [--role R]``
    A named person's decision not to promote a version the gate held back (recorded).
``mlops-kit audit verify`` / ``mlops-kit audit show``
    Check the audit log's hash chain; list its latest entries.
``mlops-kit simulate --config FILE.yml [--out DIR] [--set key=value ...]``
    Replay the data batch by batch (continuous training); resumes a stopped replay.
``mlops-kit reproduce RUN``
    Re-run a recorded run from its manifest; reports whether every metric matches exactly.

Exit codes: 0 success, 1 a pipeline stage failed, a check failed (audit log altered,
run not reproduced, a design with a guideline not met), 2 bad input (config, data, a
design file that cannot be read, or usage).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    from importlib.metadata import PackageNotFoundError, version

    try:
        kit_version = version("mlops-kit")
    except PackageNotFoundError:  # running from a source tree that is not installed
        kit_version = "unknown"
    parser = argparse.ArgumentParser(
        prog="mlops-kit",
        description="Automated model training and evaluation for the MLOps workbook.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {kit_version}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def config_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--config", required=True, metavar="FILE.yml", help="pipeline config")
        p.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            dest="overrides",
            help="override a config key for this run (repeatable), e.g. --set model=rf",
        )

    run = sub.add_parser("run", help="run the automated pipeline into a new run folder")
    config_args(run)
    run.add_argument("--runs-dir", default="runs", help="where run folders go (default: runs)")
    run.add_argument("--quiet", action="store_true", help="no progress lines")

    check = sub.add_parser("check", help="validate a config and its data, run nothing")
    config_args(check)

    def workspace_args(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--workspace", default=".", help="folder of runs/, mlops.db and audit/ (default: .)"
        )
        p.add_argument("--tracking-uri", help="an MLflow tracking URI (default: the workspace's)")

    models = sub.add_parser("models", help="list a registered model's versions")
    models.add_argument("--model", required=True, help="registered model name")
    workspace_args(models)

    approve = sub.add_parser("approve", help="approve a version and promote it to champion")
    approve.add_argument("--model", required=True, help="registered model name")
    approve.add_argument("--version", required=True, type=int, help="version number")
    approve.add_argument("--approver", required=True, help="your name (not the trainer's)")
    approve.add_argument("--justification", required=True, help="why it may be used")
    approve.add_argument("--role", help="the capacity you sign in, e.g. 'Head of Policy'")
    workspace_args(approve)
    approve.add_argument("--audit-log", help="audit log (default: <workspace>/audit/audit.jsonl)")

    decline = sub.add_parser("decline", help="record a decision not to promote a version")
    decline.add_argument("--model", required=True, help="registered model name")
    decline.add_argument("--version", required=True, type=int, help="version number")
    decline.add_argument("--reviewer", required=True, help="your name (not the trainer's)")
    decline.add_argument("--justification", required=True, help="why it may not be used")
    decline.add_argument("--role", help="the capacity you decide in, e.g. 'Head of Policy'")
    workspace_args(decline)
    decline.add_argument("--audit-log", help="audit log (default: <workspace>/audit/audit.jsonl)")

    audit = sub.add_parser("audit", help="the audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    for action, text in (("verify", "check the hash chain"), ("show", "list the latest entries")):
        a = audit_sub.add_parser(action, help=text)
        a.add_argument("--log", help="audit log file (default: <workspace>/audit/audit.jsonl)")
        a.add_argument("--workspace", default=".", help="folder of audit/ (default: .)")
        if action == "show":
            a.add_argument("--last", type=int, default=20, help="how many entries (default: 20)")

    simulate = sub.add_parser(
        "simulate", help="replay the data batch by batch: monitor, retrain, gate, promote"
    )
    config_args(simulate)
    simulate.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="output folder (default: runs/simulate-<name>); an existing one is resumed",
    )
    simulate.add_argument("--quiet", action="store_true", help="no progress lines")

    reproduce = sub.add_parser("reproduce", help="re-run a recorded run and compare its metrics")
    reproduce.add_argument("run", help="run folder, run id, or the start of a run id")
    reproduce.add_argument("--runs-dir", default="runs", help="where run folders are")
    reproduce.add_argument("--quiet", action="store_true", help="no progress lines")

    design = sub.add_parser("design", help="teams' pipeline designs (the Elaborate lesson)")
    design_sub = design.add_subparsers(dest="design_command", required=True, metavar="ACTION")
    design_check = design_sub.add_parser(
        "check", help="check design files against the six governance guidelines, run nothing"
    )
    design_check.add_argument("files", nargs="+", metavar="FILE.design.yml")

    data = sub.add_parser("data", help="the bundled datasets")
    data_sub = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    data_sub.add_parser("list", help="list the bundled datasets and their files")
    gen = data_sub.add_parser("generate", help="rewrite the bundled CSVs from their generators")
    gen.add_argument("--out", default="data", help="folder to write into (default: data)")
    return parser


def _cmd_run(args: argparse.Namespace) -> int:
    from .config import load_config
    from .pipeline import release_summary, run_pipeline

    config = load_config(args.config, args.overrides)
    result = run_pipeline(config, runs_dir=args.runs_dir, progress=None if args.quiet else _err)
    for line in release_summary(result.run_dir):
        print(line)
    print(f"Report: {result.report}")
    print(result.run_dir)
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from .config import load_config
    from .data import SplitSettings, TableRules, check_split, load_table
    from .pipeline import preflight
    from .privacy import check_data

    config = load_config(args.config, args.overrides)
    preflight(config)
    # Read, prepared and checked exactly as the validate stage will (data: lines say how).
    table = load_table(config.data, TableRules.from_params(config))
    source = f"'{config.data}'"
    profile = check_data(table.data, config, source=source)[0]
    check_split(table.data, profile, SplitSettings.from_config(config), source=source)
    roles = profile.roles
    print(
        f"Config and data are valid: {profile.n_rows:,} rows; target '{roles.target}'; "
        f"{len(roles.features)} features; {len(roles.protected)} protected."
    )
    for line in table.lines():
        print(f"data: {line}")
    for warning in profile.warnings:
        print(f"warning: {warning}")
    _warn_card(config)
    return 0


def _warn_card(config: Any) -> None:
    """Say up front which model-card parts a run of ``config`` would find empty."""
    from .governance import card_keys_missing, transparency_block

    keys = card_keys_missing(config.transparency, protected=bool(config.protected))
    if not keys:
        return
    print(
        f"warning: the model card will have {len(keys)} empty required part"
        f"{'s' if len(keys) != 1 else ''} ({', '.join(keys)}). The run will finish and "
        "register the model, but it can be neither approved nor promoted until a person "
        "writes them. Add this to the config and fill it in:"
    )
    print(transparency_block(keys))


def _cmd_design(args: argparse.Namespace) -> int:
    """Each design's check in words; every file is checked even when one cannot be read."""
    from .course import check_design
    from .errors import MlopsKitError

    worst = 0
    for file in args.files:
        print(f"== {file}")
        try:
            check = check_design(file)
        except MlopsKitError as exc:
            for line in str(exc).splitlines():
                _err(f"mlops-kit: error: {line}")
            worst = 2
            continue
        print(check.summary())
        for item in check.items:
            print(f"  {item.status.value.upper():8} {item.title}: {item.message}")
        if not check.passed:
            worst = max(worst, 1)
    return worst


def _cmd_data(args: argparse.Namespace) -> int:
    from .data import dataset_info, list_datasets, write_bundled_csv

    if args.data_command == "list":
        for name in list_datasets():
            info = dataset_info(name)
            print(
                f"{name}: {info.title}\n  data: {info.path}\n  config: {info.config}\n"
                f"  datasheet: {info.datasheet}"
            )
        return 0
    for name in list_datasets():
        print(write_bundled_csv(name, args.out))
    return 0


def _registry(args: argparse.Namespace, audit_log: str | None = None) -> Any:
    from pathlib import Path

    from .audit import AuditLog
    from .registry import Registry

    log = audit_log or str(Path(args.workspace) / "audit" / "audit.jsonl")
    return Registry(args.tracking_uri, workspace=args.workspace, audit=AuditLog(log))


def _cmd_models(args: argparse.Namespace) -> int:
    table = _registry(args).versions(args.model)
    if table.empty:
        print(f"No versions of '{args.model}' are registered.")
        return 0
    print(table.to_string())
    return 0


def _cmd_approve(args: argparse.Namespace) -> int:
    approval = _registry(args, args.audit_log).approve(
        args.model,
        args.version,
        approver=args.approver,
        justification=args.justification,
        role=args.role,
    )
    print(
        f"{approval.kind.capitalize()} recorded: {args.model} version {args.version} is now "
        f"the champion, approved by {approval.approver}."
    )
    return 0


def _cmd_decline(args: argparse.Namespace) -> int:
    entry = _registry(args, args.audit_log).decline(
        args.model,
        args.version,
        reviewer=args.reviewer,
        justification=args.justification,
        role=args.role,
    )
    print(
        f"Decline recorded: {args.model} version {args.version} stays unpromoted "
        f"(audit entry {entry.seq}, hash {entry.hash[:12]}...)."
    )
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .audit import AuditLog

    log = AuditLog(args.log or Path(args.workspace) / "audit" / "audit.jsonl")
    if args.audit_command == "verify":
        result = log.verify()
        print(result.summary())
        return 0 if result.ok else 1
    frame = log.to_frame()
    print(frame.tail(args.last).to_string() if len(frame) else "The audit log is empty.")
    return 0


def _cmd_simulate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .config import load_config
    from .continuous import simulate

    config = load_config(args.config, args.overrides)
    out = args.out or Path("runs") / f"simulate-{config.name or Path(config.data).stem}"
    result = simulate(config, out_dir=out, progress=None if args.quiet else _err)
    print(result.describe())
    print(result.out_dir)
    return 0


def _cmd_reproduce(args: argparse.Namespace) -> int:
    from .pipeline import reproduce

    result = reproduce(args.run, runs_dir=args.runs_dir, progress=None if args.quiet else _err)
    print(result.summary())
    print(result.rerun)
    return 0 if result.matched else 1


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mlops-kit`` console script."""
    args = _parser().parse_args(argv)
    from .errors import MlopsKitError, PipelineError

    commands = {
        "run": _cmd_run,
        "check": _cmd_check,
        "data": _cmd_data,
        "design": _cmd_design,
        "models": _cmd_models,
        "approve": _cmd_approve,
        "decline": _cmd_decline,
        "audit": _cmd_audit,
        "simulate": _cmd_simulate,
        "reproduce": _cmd_reproduce,
    }
    try:
        return commands[args.command](args)
    except PipelineError as exc:
        _err(f"mlops-kit: error: {exc}")
        return 1
    except MlopsKitError as exc:
        for line in str(exc).splitlines():
            _err(f"mlops-kit: error: {line}")
        return 2
    except KeyboardInterrupt:
        _err("mlops-kit: interrupted")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
