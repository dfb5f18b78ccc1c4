"""`--model`, `--moderation` and `--profile`: which policy profile judges the verdict."""

from __future__ import annotations

import argparse

from workbench.core.screening.policy_profiles import MODERATIONS, Policy, resolve


def add_policy_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("policy (which target the verdict is for)")
    group.add_argument("--model", help="target model: chooses the policy profile (default: gpt-image-1)")
    group.add_argument("--moderation", choices=MODERATIONS, default="auto", help="the request's moderation level")
    group.add_argument("--profile", help="pin a policy profile by id (gpt-image-2, gpt-image-1.x, dall-e-3, "
                       "azure-openai, fal-flux, strict, or your own)")
    group.add_argument("--provider", help="provider kind (openai, azure, compatible): helps choose the profile")


def policy_from(args: argparse.Namespace) -> Policy:
    return resolve(args.profile, provider=args.provider, model=args.model, moderation=args.moderation)
