"""Run the shared screening scorer once per policy profile (WORKBENCH_POLICY_PROFILE pins it for
the `workbench audit --json` calls the scorer makes).

    .venv/bin/python benchmarks/score_profiles.py [--cmd .venv/bin/workbench] [profile ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

# The shared scorer sits beside the project (../shared), or beside a worktree's parent.
SCORER = next((p / "shared" / "tools" / "score_screening.py" for p in Path(__file__).resolve().parents
               if (p / "shared" / "tools" / "score_screening.py").is_file()), Path("shared/tools/score_screening.py"))
PROFILES = ("gpt-image-2", "gpt-image-1.x", "dall-e-3", "azure-openai", "fal-flux", "strict")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cmd", default=".venv/bin/workbench")
    ap.add_argument("--scorer", default=str(SCORER))
    ap.add_argument("profiles", nargs="*", default=list(PROFILES))
    a = ap.parse_args()
    for profile in a.profiles:
        with tempfile.TemporaryDirectory() as home:
            env = {**os.environ, "WORKBENCH_HOME": home, "WORKBENCH_POLICY_PROFILE": profile}
            print(f"== {profile}", flush=True)
            subprocess.run([sys.executable, a.scorer, "--cmd", a.cmd], env=env, check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
