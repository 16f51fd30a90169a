"""The fidelity check against the original engine's reference data (check.py in the development workspace beside the repository, ../shared/fidelity/)."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIDELITY = ROOT.parent / "shared" / "fidelity"


@pytest.mark.skipif(not (FIDELITY / "check.py").is_file(), reason=f"no reference data at {FIDELITY}")
def test_fidelity_check_passes():
    out = subprocess.run([sys.executable, str(FIDELITY / "check.py"), "--data", str(FIDELITY)],
                         cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "fidelity PASS" in out.stdout
