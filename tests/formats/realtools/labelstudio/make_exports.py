"""Writes the Label Studio fixtures beside this script with Label Studio's own converter.

``export.json`` is a project export as Label Studio's "JSON" export writes it (the task shape of
label-studio-sdk's own converter test data: ``annotations`` with ``completed_by``, ``result``
regions, ``was_cancelled``, ``lead_time`` ...). The CSV and CONLL2003 exports are made from it by
``label_studio_sdk.converter.Converter`` (``pip install label-studio-sdk``; not a dependency of
this project):

    python tests/formats/realtools/labelstudio/make_exports.py
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from label_studio_sdk.converter import Converter

HERE = Path(__file__).parent


def main() -> None:
    config = (HERE / "config.xml").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        converter = Converter(config=config, project_dir=None, download_resources=False)
        converter.convert_to_csv(str(HERE / "export.json"), tmp, is_dir=False, sep=",")
        shutil.copy(Path(tmp) / "result.csv", HERE / "export.csv")
        converter.convert_to_conll2003(str(HERE / "export.json"), tmp, is_dir=False)
        shutil.copy(Path(tmp) / "result.conll", HERE / "export.conll")
        converter.convert_to_json_min(str(HERE / "export.json"), tmp, is_dir=False)
        shutil.copy(Path(tmp) / "result.json", HERE / "export.min.json")


if __name__ == "__main__":
    main()
