"""`--model`, `--moderation` and `--profile`: which policy profile judges the verdict, and the
learned calibration from the user's history that corrects it (`--no-calibration` to judge by the
profile alone)."""

from __future__ import annotations

import argparse
import sys

from workbench import paths
from workbench.core import calibration
from workbench.core.calibration import history
from workbench.core.errors import UserFacingError
from workbench.core.screening.policy_profiles import MODERATIONS, Policy, resolve


def add_policy_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("policy (which target the verdict is for)")
    group.add_argument("--model", help="target model: chooses the policy profile (default: gpt-image-1)")
    group.add_argument("--moderation", choices=MODERATIONS, default="auto", help="the request's moderation level")
    group.add_argument("--profile", help="pin a policy profile by id (gpt-image-2, gpt-image-1.x, dall-e-3, "
                       "azure-openai, fal-flux, strict, or your own)")
    group.add_argument("--provider", help="provider kind (openai, azure, compatible): helps choose the profile")
    group.add_argument("--no-calibration", action="store_true",
                       help="judge by the profile alone, without what your history learned")


def policy_from(args: argparse.Namespace) -> Policy:
    """The policy the arguments name; also activates the history's calibration (if any)."""
    policy = resolve(args.profile, provider=args.provider, model=args.model, moderation=args.moderation)
    calibration.set_active(None if getattr(args, "no_calibration", False) else _history_snapshot())
    return policy


def _history_snapshot() -> calibration.Snapshot | None:
    try:
        return history.load_file(paths.history_db_path())
    except UserFacingError as exc:  # screening still works; only the learned part is missing
        print(f"workbench: warning: calibration not used: {exc.user_message}", file=sys.stderr)
        return None
