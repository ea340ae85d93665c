"""The comparisons with pabutools skip their cases when no data files are found; this test makes sure that
can never pass unnoticed: without the pabulib files beside the repository the suite fails."""

from __future__ import annotations

import pabutools_oracle as oracle


def test_the_pabulib_data_files_are_there() -> None:
    assert oracle.DATA_DIR.is_dir(), f"pabulib data missing: {oracle.DATA_DIR} (set WIJKBUDGET_PABULIB_DIR)"
    assert len(oracle.DATA_FILES) >= 13, f"expected the 13 pabulib files in {oracle.DATA_DIR}"
