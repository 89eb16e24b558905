#!/usr/bin/python3
"""Drives a TLS listener of the qaqpa binary the way client systems would:
zeep over HTTPS against the test CA (the WSDL then names an https://
address), Python's ssl module for the protocol versions, a certificate
replaced and re-read on SIGHUP while a keep-alive connection stays up, and
a listener with a client_ca that asks for a client certificate."""
import http.client
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

import requests
import zeep
import zeep.transports

import zeep_client_test as base


def pki(name):
    return os.path.join(base.ARGS.pki, name)


class HttpsGateway(unittest.TestCase):
    """One qaqpa process whose public listener serves TLS with a copy of the test PKI's server certificate."""
    client_ca = None

    @classmethod
    def setUpClass(cls):
        subprocess.run(["bash", base.ARGS.make_pki, base.ARGS.pki], check=True, timeout=120)
        cls.certs = tempfile.TemporaryDirectory()
        cls.cert = os.path.join(cls.certs.name, "server.pem")
        cls.key = os.path.join(cls.certs.name, "server.key")
        shutil.copy(pki("tls-server.pem"), cls.cert)
        shutil.copy(pki("tls-server.key"), cls.key)
        extra = f'[listeners.public.tls]\ncert = "{cls.cert}"\nkey = "{cls.key}"\n'
        if cls.client_ca:
            extra += f'client_ca = "{cls.client_ca}"\n'
        cls.tmp = tempfile.TemporaryDirectory()
        cls.gateway = base.Gateway(cls.tmp.name, extra)

    @classmethod
    def tearDownClass(cls):
        cls.gateway.stop()
        cls.tmp.cleanup()
        cls.certs.cleanup()

    def zeep_client(self, cert=None):
        session = requests.Session()
        session.verify = pki("ca.pem")
        session.trust_env = False  # a CA bundle named in the environment would win over ours
        if cert:
            session.cert = (pki(cert + ".pem"), pki(cert + ".key"))
        return zeep.Client(f"https://127.0.0.1:{self.gateway.port}/bip-sync/?wsdl",
                           transport=zeep.transports.Transport(session=session, timeout=10))

    def context(self, cafile=None):
        return ssl.create_default_context(cafile=cafile or pki("ca.pem"))

    def connection(self, context):
        return http.client.HTTPSConnection("127.0.0.1", self.gateway.port, context=context, timeout=10)

    def get_wsdl(self, conn):
        conn.request("GET", "/bip-sync/?wsdl")
        answer = conn.getresponse()
        return answer.status, answer.read()


class TlsListener(HttpsGateway):
    def test_zeep_over_https(self):
        result = self.zeep_client().service.SendMessage(request=base.request())
        self.assertEqual(result.responseInfo.status.code, "OK")
        self.assertEqual(result.responseData.data, "Сәлем, қақпа! <&>")

    def test_the_wsdl_names_the_https_address(self):
        conn = self.connection(self.context())
        status, body = self.get_wsdl(conn)
        self.assertEqual(status, 200)
        self.assertIn(f'location="https://127.0.0.1:{self.gateway.port}/bip-sync/"'.encode(), body)

    def test_tls_1_2_and_1_3_are_served(self):
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            ctx = self.context()
            ctx.minimum_version = ctx.maximum_version = version
            conn = self.connection(ctx)
            self.assertEqual(self.get_wsdl(conn)[0], 200)
            self.assertEqual(conn.sock.version(), {ssl.TLSVersion.TLSv1_2: "TLSv1.2", ssl.TLSVersion.TLSv1_3: "TLSv1.3"}[version])
            conn.close()

    def test_tls_1_1_is_refused(self):
        ctx = self.context()
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        ctx.set_ciphers("DEFAULT@SECLEVEL=0")  # so it is the server that refuses
        with self.assertRaises((ssl.SSLError, ConnectionResetError)):
            self.get_wsdl(self.connection(ctx))
        self.assertEqual(self.get_wsdl(self.connection(self.context()))[0], 200)  # and it keeps serving

    def test_plain_http_on_the_tls_port_is_not_served(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.gateway.port, timeout=10)
        with self.assertRaises((http.client.HTTPException, ConnectionError)):
            self.get_wsdl(conn)



class TlsCertificateReload(HttpsGateway):
    """Its own process: the test replaces the listener's certificate."""

    def test_a_new_certificate_on_sighup_keeps_open_connections(self):
        kept = self.connection(self.context())
        self.assertEqual(self.get_wsdl(kept)[0], 200)
        before = kept.sock.getpeercert()["serialNumber"]
        # a self-signed replacement for 127.0.0.1, written over the configured files
        fresh = tempfile.TemporaryDirectory()
        cert, key = os.path.join(fresh.name, "new.pem"), os.path.join(fresh.name, "new.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True, timeout=30)
        shutil.copy(cert, self.cert)
        shutil.copy(key, self.key)
        self.gateway.proc.send_signal(signal.SIGHUP)
        after = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                conn = self.connection(self.context(cafile=cert))
                self.get_wsdl(conn)
                after = conn.sock.getpeercert()["serialNumber"]
                conn.close()
                break
            except ssl.SSLError:
                time.sleep(0.1)  # still the old certificate
        self.assertIsNotNone(after, "the new certificate was not served within 10 s of SIGHUP")
        self.assertNotEqual(after, before)
        self.assertEqual(self.get_wsdl(kept)[0], 200)  # the old connection is still up
        fresh.cleanup()


class TlsListenerWithClientCertificates(HttpsGateway):
    @classmethod
    def setUpClass(cls):
        cls.client_ca = pki("ca.pem")
        super().setUpClass()

    def test_a_client_without_a_certificate_is_refused(self):
        with self.assertRaises((ssl.SSLError, ConnectionResetError, http.client.HTTPException)):
            self.get_wsdl(self.connection(self.context()))

    def test_a_client_certificate_of_another_ca_is_refused(self):
        ctx = self.context()
        ctx.load_cert_chain(pki("stranger.pem"), pki("stranger.key"))
        with self.assertRaises((ssl.SSLError, ConnectionResetError, http.client.HTTPException)):
            self.get_wsdl(self.connection(ctx))

    def test_a_client_certificate_of_the_ca_is_served(self):
        ctx = self.context()
        ctx.load_cert_chain(pki("sender.pem"), pki("sender.key"))
        self.assertEqual(self.get_wsdl(self.connection(ctx))[0], 200)

    def test_the_callers_bin_in_its_client_certificate_calls(self):
        result = self.zeep_client("sender").service.SendMessage(request=base.request())  # BIN 123456789012
        self.assertEqual(result.responseInfo.status.code, "OK")

    def test_another_organisations_client_certificate_is_refused(self):
        with self.assertRaises(zeep.exceptions.Fault) as caught:
            self.zeep_client("other").service.SendMessage(request=base.request())  # BIN 555555555555
        detail = caught.exception.detail
        codes = [e.text for e in detail.iter() if e.tag.endswith("errorCode")]
        self.assertEqual(codes, ["CERTIFICATE_MISMATCH"])
        messages = [e.text for e in detail.iter() if e.tag.endswith("errorMessage")]
        self.assertIn("TLS client certificate", messages[0])
        self.assertIn("BIN 555555555555", messages[0])


if __name__ == "__main__":
    base.main(sys.modules[__name__])
