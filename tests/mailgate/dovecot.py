"""A real Dovecot IMAP server for the tests: its own config, data and port, in a temp folder."""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.notifications.conftest import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "support", "imap-secret"

CONFIG = """
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


def available() -> str:
    """Why Dovecot cannot run here, or "" when it can."""
    if not os.path.exists(DOVECOT):
        return "Dovecot is not installed (apt-get install dovecot-imapd)"
    if os.geteuid() != 0:
        return "Dovecot's test server needs root to drop to its own users"
    return ""


class Dovecot:
    def __init__(self, root: Path):
        self.root, self.port = root, free_port()
        self.user, self.password = USER, PASSWORD

    def start(self):
        account = pwd.getpwnam("dovecot")
        for folder in ("run", "state", "mail", "home"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        for folder in ("mail", "home"):
            os.chown(self.root / folder, account.pw_uid, account.pw_gid)
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        config = self.root / "dovecot.conf"
        config.write_text(
            CONFIG.format(root=self.root, port=self.port, uid=account.pw_uid, gid=account.pw_gid)
        )
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)])
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        log = (
            (self.root / "dovecot.log").read_text() if (self.root / "dovecot.log").exists() else ""
        )
        self.stop()
        raise RuntimeError(f"Dovecot did not start:\n{log}")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def dovecot():
    reason = available()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    # Its own folder under /tmp, which Dovecot's unprivileged users can reach (pytest's
    # tmp_path is under a root-only folder).
    with tempfile.TemporaryDirectory(prefix="help-dovecot-") as root:
        os.chmod(root, 0o711)  # noqa: S103 - Dovecot’s users must reach their files
        server = Dovecot(Path(root)).start()
        yield server
        server.stop()
