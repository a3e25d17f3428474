"""A small SAML 2 identity provider (pysaml2, signing with xmlsec1) for the tests.

It stands in for the university's Shibboleth: it shows a login form, then posts a
signed assertion carrying eduPerson and SUPANN attributes back to Help.
"""

import datetime
import html
import threading
from pathlib import Path
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

PEOPLE = {
    "paul": {
        "eduPersonPrincipalName": ["paul.durand@univ.example"],
        "mail": ["paul.durand@univ.example"],
        "givenName": ["Paul"],
        "sn": ["Durand"],
        "eduPersonAffiliation": ["faculty", "member"],
        "supannEntiteAffectation": ["UFR-SCI"],
    }
}


def self_signed(folder: Path) -> tuple[Path, Path, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test-idp")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / "idp.key", folder / "idp.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_path.write_bytes(pem)
    return key_path, cert_path, pem.decode()


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class SamlIdentityProvider:
    def __init__(self, folder: Path, sp_metadata: str):
        from saml2 import BINDING_HTTP_REDIRECT
        from saml2.config import IdPConfig
        from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT
        from saml2.server import Server

        self.httpd = make_server("127.0.0.1", 0, self.app, handler_class=Quiet)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        key_path, cert_path, self.certificate = self_signed(folder)
        config = IdPConfig()
        config.load(
            {
                "entityid": f"{self.url}/metadata",
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [(f"{self.url}/sso", BINDING_HTTP_REDIRECT)],
                            "single_logout_service": [(f"{self.url}/slo", BINDING_HTTP_REDIRECT)],
                        },
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": 15},
                                "attribute_restrictions": None,
                                "name_form": NAME_FORMAT_URI,
                            }
                        },
                    }
                },
                "key_file": str(key_path),
                "cert_file": str(cert_path),
                "xmlsec_binary": "/usr/bin/xmlsec1",
                "metadata": {"inline": [sp_metadata]},
            }
        )
        self.server = Server(config=config)
        self.logouts = []
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def entity_id(self) -> str:
        return f"{self.url}/metadata"

    @property
    def sso_url(self) -> str:
        return f"{self.url}/sso"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()

    def app(self, environ, start_response):
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if environ["PATH_INFO"] == "/sso":
            request, relay = query["SAMLRequest"][0], query.get("RelayState", [""])[0]
            signed_in = self._session(environ)
            if signed_in:  # single sign-on: the provider remembers the person
                form = {"SAMLRequest": [request], "RelayState": [relay], "username": [signed_in]}
                return self._answer(start_response, form)
            return self._form(start_response, request, relay)
        if environ["PATH_INFO"] == "/slo":
            return self._logout(start_response, query)
        if environ["PATH_INFO"] == "/login" and environ["REQUEST_METHOD"] == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            form = parse_qs(environ["wsgi.input"].read(size).decode())
            return self._answer(start_response, form)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    @staticmethod
    def _session(environ) -> str:
        cookies = dict(
            part.strip().split("=", 1)
            for part in environ.get("HTTP_COOKIE", "").split(";")
            if "=" in part
        )
        return cookies.get("idp_session", "")

    def _logout(self, start_response, query):
        from saml2 import BINDING_HTTP_REDIRECT

        request = self.server.parse_logout_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        self.logouts.append(request.message.name_id.text)
        response = self.server.create_logout_response(request.message, [BINDING_HTTP_REDIRECT])
        sls = self.server.metadata.single_logout_service(
            request.message.issuer.text, BINDING_HTTP_REDIRECT, "spsso"
        )[0]["location"]
        http = self.server.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(response),
            sls,
            query.get("RelayState", [""])[0],
            response=True,
        )
        headers = [*http["headers"], ("Set-Cookie", "idp_session=; Max-Age=0; Path=/")]
        start_response("303 See Other", headers)
        return [b""]

    def _form(self, start_response, request, relay_state):
        page = f"""<!DOCTYPE html><html lang="en"><head><title>University login</title></head>
<body><h1>University login</h1><form method="post" action="/login">
<label for="username">Username</label><input id="username" name="username">
<input type="hidden" name="SAMLRequest" value="{html.escape(request)}">
<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">
<button type="submit">Sign in</button></form></body></html>"""
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page.encode()]

    def _answer(self, start_response, form):
        from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
        from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
        from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

        request = self.server.parse_authn_request(form["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        message = request.message
        username = form["username"][0]
        identity = PEOPLE[username]
        destination = message.assertion_consumer_service_url
        response = self.server.create_authn_response(
            identity=identity,
            in_response_to=message.id,
            destination=destination,
            sp_entity_id=message.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=username),
            userid=username,
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
            sign_assertion=True,
            sign_response=True,
            sign_alg=SIG_RSA_SHA256,  # Help refuses the deprecated SHA-1
            digest_alg=DIGEST_SHA256,
        )
        http = self.server.apply_binding(
            BINDING_HTTP_POST,
            str(response),
            destination,
            form.get("RelayState", [""])[0],
            response=True,
        )
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Set-Cookie", f"idp_session={username}; Path=/; HttpOnly"),
        ]
        start_response("200 OK", headers)
        return [http["data"].encode() if isinstance(http["data"], str) else http["data"]]
