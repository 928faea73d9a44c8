"""The ``mlops-kit`` command line.

Commands
--------
``mlops-kit run --config FILE.yml [--set key=value ...]``
    Run the automated pipeline; the last line printed is the run folder.
``mlops-kit check --config FILE.yml [--set key=value ...]``
    Validate the config and the data without running anything.
``mlops-kit data list`` / ``mlops-kit data generate --out DIR``
    The bundled datasets, and regenerating their CSVs from the seeded generators.

Exit codes: 0 success, 1 a pipeline stage failed, 2 bad input (config, data or usage).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

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

    data = sub.add_parser("data", help="the bundled datasets")
    data_sub = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    data_sub.add_parser("list", help="list the bundled datasets and their files")
    gen = data_sub.add_parser("generate", help="rewrite the bundled CSVs from their generators")
    gen.add_argument("--out", default="data", help="folder to write into (default: data)")
    return parser


def _cmd_run(args: argparse.Namespace) -> int:
    from .config import load_config
    from .pipeline import run_pipeline

    config = load_config(args.config, args.overrides)
    result = run_pipeline(config, runs_dir=args.runs_dir, progress=None if args.quiet else _err)
    print(f"Report: {result.report}")
    print(result.run_dir)
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from .config import load_config
    from .data import read_csv, validate_table
    from .pipeline import preflight

    config = load_config(args.config, args.overrides)
    preflight(config)
    profile = validate_table(
        read_csv(config.data),
        target=config.target,
        task=config.task,
        positive_label=config.positive_label,
        protected=config.protected,
        features=config.features,
        exclude=config.exclude,
        time_column=config.time_column,
        source=f"'{config.data}'",
    )
    roles = profile.roles
    print(
        f"Config and data are valid: {profile.n_rows:,} rows; target '{roles.target}'; "
        f"{len(roles.features)} features; {len(roles.protected)} protected."
    )
    for warning in profile.warnings:
        print(f"warning: {warning}")
    return 0


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


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mlops-kit`` console script."""
    args = _parser().parse_args(argv)
    from .errors import MlopsKitError, PipelineError

    commands = {"run": _cmd_run, "check": _cmd_check, "data": _cmd_data}
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
