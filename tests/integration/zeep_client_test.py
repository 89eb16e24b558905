#!/usr/bin/python3
"""Drives the qaqpa binary with SOAP clients generated from WSDL (python3-zeep),
the way an existing client system would: one from the gateway's own WSDL, one
from the real SHEP WSDL (skipped when ../shared is absent). The signed
endpoints are driven by zeep's own WS-Security (BinarySignature, with
python3-xmlsec), and what the gateway signs is checked by Debian's xmlsec1.
An encrypted call is made with python3-xmlsec in WS-Security 1.1's form."""

import argparse
import base64
import os
import json
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import xmlsec
import zeep
from lxml import etree
from zeep.plugins import HistoryPlugin
from zeep.wsse.signature import BinarySignature, _verify_envelope_with_key

ARGS = None
SYNC_BINDING = "{http://bip.bee.kz/SyncChannel/v10/Interfaces/Binding2}SyncChannelHttpBinding"
ASYNC_BINDING = "{http://bip.bee.kz/AsyncChannel/v10/Interfaces/Binding}AsyncChannelHttpBinding"
COMMON_NS = "http://bip.bee.kz/common/v10/Types"


class Gateway:
    """A qaqpa serve process on loopback port 0; stops itself."""

    def __init__(self, workdir, extra=""):
        hashed = subprocess.run([ARGS.qaqpa, "hash-password"], input=b"zeep-secret\n",
                                capture_output=True, check=True, timeout=30).stdout.decode().strip()
        assert hashed.startswith("scrypt$"), hashed
        config = os.path.join(workdir, "gateway.toml")
        with open(config, "w") as f:
            f.write(f"""
[node]
data_dir = "data"
[listeners.public]
port = 0
[listeners.admin]
port = 0
{extra}

[[systems]]
id = "zeep-client"
password_hash = "{hashed}"
bin = "123456789012"

[[delivery_points]]
id = "echo"
url = "builtin:echo"

[[services]]
id = "echo"
owner = "zeep-client"
delivery_point = "echo"

[[access]]
system = "zeep-client"
service = "echo"

[[services]]
id = "inbox"
owner = "zeep-client"
mode = "async"
delivery = "pull"

[[access]]
system = "zeep-client"
service = "inbox"
""")
        self.proc = subprocess.Popen([ARGS.qaqpa, "serve", "--config", config],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=workdir)
        self.config = config
        self.port = self.admin_port = None
        timer = threading.Timer(20, self.proc.kill)  # bound the wait for the port lines
        timer.start()
        for line in self.proc.stdout:
            text = line.decode()
            if text.startswith("qaqpa: listening public "):
                self.port = int(text.rsplit(":", 1)[1])
            elif text.startswith("qaqpa: listening admin "):
                self.admin_port = int(text.rsplit(":", 1)[1])
            if self.port and self.admin_port:
                break
        timer.cancel()
        if self.port is None or self.admin_port is None:
            raise RuntimeError("qaqpa did not report its ports")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/bip-sync/"

    @property
    def async_url(self):
        return f"http://127.0.0.1:{self.port}/bip-async/"

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def request(password="zeep-secret", service="echo"):
    # zeep writes anyType content as <data xsi:type="xs:string">; the prefixes
    # are declared on zeep's envelope, so the gateway must carry them along.
    payload = zeep.xsd.AnyObject(zeep.xsd.String(), "Сәлем, қақпа! <&>")
    return {
        "requestInfo": {
            "messageId": "zeep-1",
            "serviceId": service,
            "messageDate": "2026-11-23T10:00:00+06:00",
            "sender": {"senderId": "zeep-client", "password": password},
            "properties": [{"key": "k", "value": "v"}],
        },
        "requestData": {"data": payload},
    }


class WithGateway(unittest.TestCase):
    """One qaqpa process for the test class."""
    extra_config = ""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.gateway = Gateway(cls.tmp.name, cls.extra_config)

    @classmethod
    def tearDownClass(cls):
        cls.gateway.stop()
        cls.tmp.cleanup()


class SyncChannelThroughZeep(WithGateway):

    def check_echo(self, service):
        result = service.SendMessage(request=request())
        info = result.responseInfo
        self.assertEqual(info.status.code, "OK")
        self.assertEqual(info.correlationId, "zeep-1")
        self.assertRegex(info.sessionId, r"^\{[0-9a-f-]{36}\}$")
        self.assertEqual(result.responseData.data, "Сәлем, қақпа! <&>")

    def check_fault(self, service):
        with self.assertRaises(zeep.exceptions.Fault) as caught:
            service.SendMessage(request=request(password="wrong"))
        detail = caught.exception.detail
        self.assertIsNotNone(detail)
        codes = fault_codes(caught.exception)
        self.assertEqual(codes, ["AUTH_FAILED"])

    def test_client_generated_from_the_gateways_own_wsdl(self):
        client = zeep.Client(self.gateway.url + "?wsdl")
        self.check_echo(client.service)
        self.check_fault(client.service)

    def test_client_generated_from_the_real_shep_wsdl(self):
        wsdl = os.path.join(ARGS.shared, "reference/shep-wsdl/SyncChannel/v10/Interfaces/SyncChannelHttp_Service.wsdl")
        if not os.path.exists(wsdl):
            self.skipTest("../shared/reference/shep-wsdl is absent")
        client = zeep.Client(wsdl)
        service = client.create_service(SYNC_BINDING, self.gateway.url)
        self.check_echo(service)
        self.check_fault(service)


SENDER = {"senderId": "zeep-client", "password": "zeep-secret"}


class AdminCommand(WithGateway):
    """`qaqpa admin dp on|off ID` against the running node, as an operator runs it."""

    def admin(self, *args):
        return subprocess.run([ARGS.qaqpa, "admin", *args, "--config", self.gateway.config,
                               "--admin", f"127.0.0.1:{self.gateway.admin_port}"],
                              capture_output=True, timeout=30)

    def test_switches_a_delivery_point_off_and_on(self):
        off = self.admin("dp", "off", "echo")
        self.assertEqual(off.returncode, 0, off.stderr)
        self.assertIn(b'"enabled":false', off.stdout)
        on = self.admin("dp", "on", "echo")
        self.assertEqual(on.returncode, 0, on.stderr)
        self.assertIn(b'"changed":true', on.stdout)
        again = self.admin("dp", "on", "echo")
        self.assertEqual(again.returncode, 0)
        self.assertIn(b'"changed":false', again.stdout)
        self.assertEqual(self.admin("dp", "off", "no-such-point").returncode, 1)

    def test_shows_a_delivery_points_state(self):
        self.assertEqual(self.admin("dp", "off", "echo").returncode, 0)
        state = self.admin("dp", "state", "echo")
        self.assertEqual(state.returncode, 0, state.stderr)
        shown = json.loads(state.stdout)
        self.assertEqual(shown["id"], "echo")
        self.assertFalse(shown["enabled"])
        self.assertEqual(shown["reason"], "switched off by the administrator")
        self.assertEqual(shown["queueDepth"], 0)
        self.assertEqual(self.admin("dp", "on", "echo").returncode, 0)
        self.assertTrue(json.loads(self.admin("dp", "state", "echo").stdout)["enabled"])
        missing = self.admin("dp", "state", "no-such-point")
        self.assertEqual(missing.returncode, 1)
        self.assertEqual(json.loads(missing.stdout)["error"], "UNKNOWN_DELIVERY_POINT")


class AsyncChannelThroughZeep(WithGateway):
    """sendMessage, then the PULL round: getMessages, sendDeliveryNotification,
    getMessageStatus, as a client system written against the WSDL does it."""

    def round_trip(self, service):
        payload = zeep.xsd.AnyObject(zeep.xsd.String(), "Сәлем, қақпа!")
        accepted = service.sendMessage(request={
            "messageInfo": {"serviceId": "inbox", "messageType": "REQUEST",
                            "messageDate": "2026-11-23T10:00:00+06:00", "sender": SENDER},
            "messageData": {"data": payload},
        })
        self.assertRegex(accepted.messageId, r"^[0-9a-f-]{36}$")
        self.assertRegex(accepted.sessionId, r"^\{[0-9a-f-]{36}\}$")
        batch = service.getMessages(request={"serviceId": "inbox", "sender": SENDER, "amount": 10,
                                             "messageId": accepted.messageId})
        self.assertEqual([m.messageInfo.messageId for m in batch.messages], [accepted.messageId])
        self.assertEqual(batch.messages[0].messageInfo.correlationId, accepted.correlationId)
        self.assertEqual(batch.messages[0].messageData.data, "Сәлем, қақпа!")
        confirmed = service.sendDeliveryNotification(request={
            "notification": {"messageId": accepted.messageId, "serviceId": "inbox",
                             "notificationDate": "2026-11-23T10:00:01Z",
                             "deliveryStatus": {"receiveStatus": "MESSAGE_ACCEPTED",
                                                "statusDate": "2026-11-23T10:00:01Z",
                                                "resendMessage": "NOT_RESEND"}},
            "requestDate": "2026-11-23T10:00:01Z", "sender": SENDER})
        self.assertTrue(confirmed.notificationId)
        status = service.getMessageStatus(request={"messageId": accepted.messageId,
                                                   "requestDate": "2026-11-23T10:00:02Z", "sender": SENDER})
        self.assertEqual(status.messageState, "DELIVERED")
        with self.assertRaises(zeep.exceptions.Fault) as caught:
            service.getMessageStatus(request={"messageId": "no-such-message",
                                              "requestDate": "2026-11-23T10:00:02Z", "sender": SENDER})
        codes = fault_codes(caught.exception)
        self.assertEqual(codes, ["UNKNOWN_MESSAGE"])

    def test_client_generated_from_the_gateways_own_wsdl(self):
        client = zeep.Client(self.gateway.async_url + "?wsdl")
        self.round_trip(client.service)

    def test_client_generated_from_the_real_shep_wsdl(self):
        wsdl = os.path.join(ARGS.shared, "reference/shep-wsdl/AsyncChannel/v10/Interfaces/AsyncChannelHttp_Service.wsdl")
        if not os.path.exists(wsdl):
            self.skipTest("../shared/reference/shep-wsdl is absent")
        client = zeep.Client(wsdl)
        self.round_trip(client.create_service(ASYNC_BINDING, self.gateway.async_url))


def pki(name):
    return os.path.join(ARGS.pki, name)


class GatewayVerifiedSignature(BinarySignature):
    """Signs as the client; checks answers against the gateway's certificate
    (zeep's own verify would use the client's), or the one `answerer` names."""

    def __init__(self, *args, answerer="gateway", **kwargs):
        super().__init__(*args, **kwargs)
        self.answerer = answerer

    def verify(self, envelope):
        with open(pki(self.answerer + ".pem"), "rb") as f:
            key = xmlsec.Key.from_memory(f.read(), xmlsec.constants.KeyDataFormatCertPem, None)
        _verify_envelope_with_key(envelope, key)
        return envelope


def signing_as(name, answerer="gateway"):
    return GatewayVerifiedSignature(pki(name + ".key"), pki(name + ".pem"), answerer=answerer,
                                    signature_method=xmlsec.constants.TransformRsaSha256,
                                    digest_method=xmlsec.constants.TransformSha256)


SENDER_DATA_NS = "urn:example:sender-data"


def signed_data(signer):
    """A sender's document with its own XML-DSig over an item, made with
    python3-xmlsec (exclusive C14N, so it verifies wherever it is embedded)."""
    document = etree.Element(f"{{{SENDER_DATA_NS}}}document", nsmap={"d": SENDER_DATA_NS})
    item = etree.SubElement(document, f"{{{SENDER_DATA_NS}}}item", Id="sender-item")
    item.text = "Сәлем, қақпа! signed by its sender"
    signature = xmlsec.template.create(document, xmlsec.constants.TransformExclC14N,
                                       xmlsec.constants.TransformRsaSha256, ns="ds")
    document.append(signature)
    reference = xmlsec.template.add_reference(signature, xmlsec.constants.TransformSha256, uri="#sender-item")
    xmlsec.template.add_transform(reference, xmlsec.constants.TransformExclC14N)
    xmlsec.template.add_x509_data(xmlsec.template.ensure_key_info(signature))
    ctx = xmlsec.SignatureContext()
    ctx.register_id(item, "Id")
    ctx.key = xmlsec.Key.from_file(pki(signer + ".key"), xmlsec.constants.KeyDataFormatPem)
    ctx.key.load_cert_from_file(pki(signer + ".pem"), xmlsec.constants.KeyDataFormatPem)
    ctx.sign(signature)
    return document


SOAP_BODY_ID = "http://schemas.xmlsoap.org/soap/envelope/:Body"


def xmlsec1_verify(element, signer, id_attr):
    """Debian's `xmlsec1 --verify` of the signature in `element`, checked with
    the signer's certificate; `id_attr` is the element (ns:name) whose Id the
    reference names."""
    with tempfile.NamedTemporaryFile(suffix=".xml") as f:
        f.write(etree.tostring(element))
        f.flush()
        return subprocess.run(["xmlsec1", "--verify", "--pubkey-cert-pem", pki(signer + ".pem"),
                               "--id-attr:Id", id_attr, f.name], capture_output=True, timeout=30)


def verify_data(document, signer):
    """xmlsec1's exit code for a sender's signed document (signed_data)."""
    return xmlsec1_verify(document, signer, f"{SENDER_DATA_NS}:item").returncode


def fault_codes(fault):
    """The errorCode values in a zeep Fault's detail."""
    return [e.text for e in fault.detail.iter() if etree.QName(e).localname == "errorCode"]


class DataAs:
    """A zeep plugin that puts an element of its own in the request's data
    (zeep writes anyType content as text), before zeep's WS-Security signs."""

    def __init__(self, element):
        self.element = element

    def egress(self, envelope, http_headers, operation, binding_options):
        data = next(e for e in envelope.iter() if etree.QName(e).localname == "data")
        data.text = None
        data.attrib.pop("{http://www.w3.org/2001/XMLSchema-instance}type", None)
        data.append(self.element)
        return envelope, http_headers

    def ingress(self, envelope, http_headers, operation):
        return envelope, http_headers


WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
XENC_NS = "http://www.w3.org/2001/04/xmlenc#"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
SKI_TYPE = ("http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0"
            "#X509SubjectKeyIdentifier")


def subject_key_identifier(cert):
    out = subprocess.run(["openssl", "x509", "-in", cert, "-noout", "-ext", "subjectKeyIdentifier"],
                         capture_output=True, text=True, check=True, timeout=30).stdout
    return base64.b64encode(bytes.fromhex(out.strip().splitlines()[-1].strip().replace(":", ""))).decode()


def child(parent, ns, local):
    # by tag text: lxml's find() misses elements xmlsec1 made (their names are not in the document's dictionary)
    return next(c for c in parent if c.tag == f"{{{ns}}}{local}")


class SignedThenEncryptedTo:
    """zeep's BinarySignature, then the Body's content encrypted to `cert`
    with python3-xmlsec (AES-256-CBC, RSA-OAEP), moved into WS-Security 1.1's
    form: the EncryptedKey first in wsse:Security, naming the certificate by
    its subject key identifier and the EncryptedData by a ReferenceList."""

    def __init__(self, signer, cert):
        self.signer, self.cert, self.sent = signer, cert, b""

    def apply(self, envelope, headers):
        envelope, headers = self.signer.apply(envelope, headers)
        body = envelope.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
        template = xmlsec.template.encrypted_data_create(envelope, xmlsec.constants.TransformAes256Cbc,
                                                         id="zeep-body", type=xmlsec.constants.TypeEncContent,
                                                         ns="xenc")
        xmlsec.template.encrypted_data_ensure_cipher_value(template)
        key_info = xmlsec.template.encrypted_data_ensure_key_info(template, ns="ds")
        xmlsec.template.encrypted_data_ensure_cipher_value(
            xmlsec.template.add_encrypted_key(key_info, xmlsec.constants.TransformRsaOaep))
        manager = xmlsec.KeysManager()
        manager.add_key(xmlsec.Key.from_file(self.cert, xmlsec.constants.KeyDataFormatCertPem, None))
        ctx = xmlsec.EncryptionContext(manager)
        ctx.key = xmlsec.Key.generate(xmlsec.constants.KeyDataAes, 256, xmlsec.constants.KeyDataTypeSession)
        data = ctx.encrypt_xml(template, body)
        inner = child(data, DS_NS, "KeyInfo")
        key = child(inner, XENC_NS, "EncryptedKey")
        data.remove(inner)
        named = etree.Element(f"{{{DS_NS}}}KeyInfo")
        reference = etree.SubElement(named, f"{{{WSSE_NS}}}SecurityTokenReference")
        ski = etree.SubElement(reference, f"{{{WSSE_NS}}}KeyIdentifier", ValueType=SKI_TYPE)
        ski.text = subject_key_identifier(self.cert)
        key.insert(1, named)
        etree.SubElement(etree.SubElement(key, f"{{{XENC_NS}}}ReferenceList"), f"{{{XENC_NS}}}DataReference",
                         URI="#zeep-body")
        envelope.find(f".//{{{WSSE_NS}}}Security").insert(0, key)
        self.sent = etree.tostring(envelope)
        return envelope, headers

    def verify(self, envelope):
        return self.signer.verify(envelope)


class SignedEndpointsThroughZeep(WithGateway):
    """/bip-sync-wss-gost/ and /bip-async-wss-gost/ with zeep's BinarySignature
    (RSA-SHA256) as the independent client; the gateway's signed answers
    checked by zeep and by `xmlsec1 --verify`."""

    @classmethod
    def setUpClass(cls):
        subprocess.run(["bash", ARGS.make_pki, ARGS.pki], check=True, timeout=120)
        cls.extra_config = f"""
[security]
gateway_cert = "{pki('gateway.pem')}"
gateway_key = "{pki('gateway.key')}"
trusted_ca = ["{pki('ca.pem')}"]
crls = ["{pki('crl.pem')}"]
"""
        super().setUpClass()

    def client(self, path, signer):
        history = HistoryPlugin()
        client = zeep.Client(f"http://127.0.0.1:{self.gateway.port}{path}?wsdl", wsse=signing_as(signer),
                             plugins=[history])
        return client, history

    def test_a_signed_sync_call_and_its_signed_answer(self):
        client, history = self.client("/bip-sync-wss-gost/", "sender")
        result = client.service.SendMessage(request=request())  # zeep verifies the answer's signature
        self.assertEqual(result.responseInfo.status.code, "OK")
        self.assertEqual(result.responseData.data, "Сәлем, қақпа! <&>")
        checked = xmlsec1_verify(history.last_received["envelope"], "gateway", SOAP_BODY_ID)
        self.assertEqual(checked.returncode, 0, checked.stderr.decode())

    def test_another_organisations_certificate_is_refused(self):
        client, _ = self.client("/bip-sync-wss-gost/", "other")
        with self.assertRaises(zeep.exceptions.Fault) as caught:
            client.service.SendMessage(request=request())
        codes = fault_codes(caught.exception)
        self.assertEqual(codes, ["CERTIFICATE_MISMATCH"])

    def test_a_signed_async_send(self):
        client, _ = self.client("/bip-async-wss-gost/", "sender")
        payload = zeep.xsd.AnyObject(zeep.xsd.String(), "подписано")
        accepted = client.service.sendMessage(request={
            "messageInfo": {"serviceId": "inbox", "messageType": "REQUEST",
                            "messageDate": "2026-11-23T10:00:00+06:00", "sender": SENDER},
            "messageData": {"data": payload},
        })
        self.assertRegex(accepted.messageId, r"^[0-9a-f-]{36}$")

    def test_a_signed_and_encrypted_sync_call(self):
        sealed = SignedThenEncryptedTo(signing_as("sender"), pki("gateway.pem"))
        client = zeep.Client(f"http://127.0.0.1:{self.gateway.port}/bip-sync-wss-gost/?wsdl", wsse=sealed)
        result = client.service.SendMessage(request=request())
        self.assertIn(b"EncryptedData", sealed.sent)
        self.assertNotIn("Сәлем".encode(), sealed.sent)
        self.assertEqual(result.responseInfo.status.code, "OK")
        self.assertEqual(result.responseData.data, "Сәлем, қақпа! <&>")

    def test_a_call_encrypted_to_another_certificate_is_refused(self):
        sealed = SignedThenEncryptedTo(signing_as("sender"), pki("other.pem"))
        client = zeep.Client(f"http://127.0.0.1:{self.gateway.port}/bip-sync-wss-gost/?wsdl", wsse=sealed)
        with self.assertRaises(zeep.exceptions.Fault) as caught:
            client.service.SendMessage(request=request())
        codes = fault_codes(caught.exception)
        self.assertEqual(codes, ["DECRYPTION_FAILED"])

    def test_unsigned_calls_are_refused_on_the_signed_endpoint(self):
        client = zeep.Client(f"http://127.0.0.1:{self.gateway.port}/bip-sync-wss-gost/?wsdl")
        with self.assertRaises(zeep.exceptions.Fault) as caught:
            client.service.SendMessage(request=request())
        codes = fault_codes(caught.exception)
        self.assertEqual(codes, ["SIGNATURE_REQUIRED"])


class PeerGatewaysThroughZeep(unittest.TestCase):
    """Two qaqpa processes, an internal and an external gateway: a client
    generated from the near node's WSDL calls a service that crosses the
    signed hop to the far node's echo, as a system inside would. The hop is
    signed and judged with each peer entry's own keys (the peers' CA), not
    the nodes' [security] ones."""

    @classmethod
    def setUpClass(cls):
        subprocess.run(["bash", ARGS.make_pki, ARGS.pki], check=True, timeout=120)
        security = f"""
[security]
gateway_cert = "{pki('gateway.pem')}"
gateway_key = "{pki('gateway.key')}"
trusted_ca = ["{pki('ca.pem')}"]
crls = ["{pki('crl.pem')}", "{pki('peer-crl.pem')}"]
"""
        def hop_keys(own):
            return (f'trusted_ca = "{pki("peer-ca.pem")}"\n'
                    f'gateway_cert = "{pki(own + ".pem")}"\ngateway_key = "{pki(own + ".key")}"\n')
        cls.tmp = tempfile.TemporaryDirectory()
        far_dir, near_dir = (os.path.join(cls.tmp.name, d) for d in ("far", "near"))
        os.makedirs(far_dir)
        os.makedirs(near_dir)
        # the far node's way back is never taken by a synchronous call
        cls.far = Gateway(far_dir, security + """
[[peers]]
id = "near"
url = "http://127.0.0.1:9"
login = "gw-far"
password = "far-password"
bin = "990000000003"
""" + hop_keys("hop-far") + """
[[systems]]
id = "gw-near"
password = "hop-password"
bin = "990000000003"
gateway = true
[[services]]
id = "across"
owner = "zeep-client"
delivery_point = "echo"
[[access]]
system = "gw-near"
service = "across"
[[services]]
id = "inbox-across"
owner = "zeep-client"
mode = "async"
delivery = "pull"
[[access]]
system = "gw-near"
service = "inbox-across"
""")
        try:
            cls.near = Gateway(near_dir, security + f"""
[[peers]]
id = "far"
url = "http://127.0.0.1:{cls.far.port}"
login = "gw-near"
password = "hop-password"
bin = "990000000002"
{hop_keys("hop-near")}
[[delivery_points]]
id = "to-far"
protocol = "gateway"
peer = "far"
security_mode = 1
[[services]]
id = "across"
owner = "zeep-client"
delivery_point = "to-far"
[[access]]
system = "zeep-client"
service = "across"
[[services]]
id = "inbox-across"
owner = "zeep-client"
mode = "async"
delivery_point = "to-far"
[[access]]
system = "zeep-client"
service = "inbox-across"
""")
        except Exception:
            cls.far.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.near.stop()
        cls.far.stop()
        cls.tmp.cleanup()

    def test_a_call_crosses_the_hop_and_its_answer_comes_back(self):
        client = zeep.Client(self.near.url + "?wsdl")
        result = client.service.SendMessage(request=request(service="across"))
        info = result.responseInfo
        self.assertEqual(info.status.code, "OK")
        self.assertRegex(info.sessionId, r"^\{[0-9a-f-]{36}\}$")
        self.assertEqual(result.responseData.data, "Сәлем, қақпа! <&>")

    def test_the_far_node_refuses_the_peers_login_unsigned(self):
        client = zeep.Client(self.far.url + "?wsdl")
        unsigned = request(service="across")
        unsigned["requestInfo"]["sender"] = {"senderId": "gw-near", "password": "hop-password"}
        with self.assertRaises(zeep.exceptions.Fault) as caught:
            client.service.SendMessage(request=unsigned)
        codes = fault_codes(caught.exception)
        self.assertEqual(codes, ["SIGNATURE_REQUIRED"])

    def peer_call(self, signer):
        history = HistoryPlugin()
        client = zeep.Client(self.far.url + "?wsdl", wsse=signing_as(signer, answerer="hop-far"), plugins=[history])
        call = request(service="across")
        call["requestInfo"]["sender"] = {"senderId": "gw-near", "password": "hop-password"}
        return client, call, history

    def test_the_peers_own_pair_is_taken_and_answered_with_the_far_nodes_own(self):
        client, call, history = self.peer_call("hop-near")
        result = client.service.SendMessage(request=call)  # zeep checks the answer against hop-far.pem
        self.assertEqual(result.responseInfo.status.code, "OK")
        checked = xmlsec1_verify(history.last_received["envelope"], "hop-far", SOAP_BODY_ID)
        self.assertEqual(checked.returncode, 0, checked.stderr.decode())

    def test_the_senders_own_signature_on_its_data_crosses_both_hops_intact(self):
        # Scenario 2 at the near node: the transport signature is the
        # sender's and is checked there; each hop re-signs the Body (sender,
        # password and sessionId change on the way). What the sender signed
        # inside its data is forwarded byte for byte: its signature still
        # verifies after the far node's echo and both hops back.
        signed = signed_data("sender")
        history = HistoryPlugin()
        client = zeep.Client(f"http://127.0.0.1:{self.near.port}/bip-sync-wss-gost/?wsdl",
                             wsse=signing_as("sender"), plugins=[DataAs(signed), history])
        result = client.service.SendMessage(request=request(service="across"))
        self.assertEqual(result.responseInfo.status.code, "OK")
        answer = history.last_received["envelope"]
        echoed = next(e for e in answer.iter() if e.tag == f"{{{SENDER_DATA_NS}}}document")
        self.assertEqual(verify_data(echoed, "sender"), 0)
        echoed.find(f"{{{SENDER_DATA_NS}}}item").text += "!"  # and a changed one does not verify
        self.assertNotEqual(verify_data(echoed, "sender"), 0)

    def test_the_senders_own_signature_on_its_data_is_stored_and_forwarded_intact(self):
        # asynchronously: stored on the near node, PUSHed over the signed hop,
        # stored again on the far node and PULLed there by the recipient
        near = zeep.Client(f"http://127.0.0.1:{self.near.port}/bip-async-wss-gost/?wsdl",
                           wsse=signing_as("sender"), plugins=[DataAs(signed_data("sender"))])
        accepted = near.service.sendMessage(request={
            "messageInfo": {"serviceId": "inbox-across", "messageType": "REQUEST",
                            "messageDate": "2026-11-23T10:00:00+06:00", "sender": SENDER},
            "messageData": {"data": "replaced by DataAs"},
        })
        history = HistoryPlugin()
        far = zeep.Client(self.far.async_url + "?wsdl", plugins=[history])
        deadline = time.monotonic() + 20
        while True:
            batch = far.service.getMessages(request={"serviceId": "inbox-across", "sender": SENDER, "amount": 10,
                                                     "messageId": accepted.messageId})
            if batch.messages or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertEqual([m.messageInfo.messageId for m in batch.messages], [accepted.messageId])
        pulled = next(e for e in history.last_received["envelope"].iter()
                      if e.tag == f"{{{SENDER_DATA_NS}}}document")
        self.assertEqual(verify_data(pulled, "sender"), 0)

    def test_a_certificate_of_the_nodes_own_ca_is_no_peers(self):
        for signer in ("hop-near-main", "gateway"):  # the peer's BIN, and the gateway's, from the CA [security] trusts
            client, call, _ = self.peer_call(signer)
            with self.assertRaises(zeep.exceptions.Fault) as caught:
                client.service.SendMessage(request=call)
            codes = fault_codes(caught.exception)
            self.assertEqual(codes, ["CERTIFICATE_UNTRUSTED"], signer)


def main(module="__main__"):
    """Reads the arguments ctest passes (into this module's ARGS) and runs `module`'s tests."""
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--qaqpa", required=True)
    parser.add_argument("--shared", required=True)
    parser.add_argument("--pki", required=True, help="where the test PKI is (made if absent)")
    parser.add_argument("--make-pki", required=True, help="tests/support/pki/make_pki.sh")
    ARGS, rest = parser.parse_known_args()
    ARGS.qaqpa = os.path.abspath(ARGS.qaqpa)
    ARGS.pki = os.path.abspath(ARGS.pki)
    result = unittest.main(module=module, argv=[sys.argv[0]] + rest, exit=False, verbosity=2).result
    print(f"{max(0, result.testsRun - len(result.failures) - len(result.errors) - len(result.skipped))} passed, "
          f"{len(result.failures) + len(result.errors)} failed, {len(result.skipped)} skipped")
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
