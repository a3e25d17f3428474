def parse_id(text) -> int | None:
    """A ticket or row number typed or sent by a browser, or None if it is not one."""
    text = str(text or "").strip().lstrip("#")
    if text.isascii() and text.isdigit() and len(text) <= 15:
        return int(text)
    return None
