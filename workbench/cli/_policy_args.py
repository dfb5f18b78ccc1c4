"""`--profile`, `--model`, `--moderation`: which target a verdict is for (shared by scan,
audit and desensitize)."""

from __future__ import annotations

import argparse

from workbench.core.screening.policy_profiles import MODERATIONS, Policy, resolve


def add(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", help="pin a policy profile (gpt-image-2, dall-e-3, azure-openai, strict, …)")
    parser.add_argument("--model", help="the target model; chooses the profile (default: the app's default model)")
    parser.add_argument("--moderation", choices=MODERATIONS, help="the request's moderation setting")


def policy_of(args: argparse.Namespace) -> Policy:
    return resolve(args.profile, model=args.model, moderation=args.moderation)
