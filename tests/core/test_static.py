import json

import pytest

from core.static import StaticStorage


def test_a_static_file_s_url_is_its_hashed_name_found_once(tmp_path, settings):
    settings.STATIC_URL = "/static/"
    manifest = {"version": "1.1", "hash": "x", "paths": {"css/help.css": "css/help.1a2b.css"}}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    storage = StaticStorage(location=tmp_path, base_url="/static/")
    assert storage.url("css/help.css") == "/static/css/help.1a2b.css"
    storage.hashed_files = {}  # the manifest is not read again: its answer was kept
    assert storage.url("css/help.css") == "/static/css/help.1a2b.css"
    with pytest.raises(ValueError, match="manifest"):
        storage.url("css/help.css", force=True)
