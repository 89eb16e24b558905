#!/usr/bin/python3
"""Drives the REST channel of the qaqpa binary the way a user's system would:
Python's standard library only (http.client over ssl, json, base64), over
HTTPS with the test PKI. Every operation, HTTP Basic and the sender object,
bad JSON of each kind, a client certificate of another organisation, and
every answer checked against the OpenAPI document the gateway serves."""
import base64
import http.client
import http.server
import json
import os
import ssl
import subprocess
import sys
import tempfile
import threading
import unittest

import https_client_test
import zeep_client_test as base

DATE = "2026-11-23T10:00:00+06:00"
BASIC = "Basic " + base64.b64encode(b"zeep-client:zeep-secret").decode()


def pki(name):
    return os.path.join(base.ARGS.pki, name)


class SchemaError(AssertionError):
    pass


def check(schema, value, doc, where="$"):
    """The subset of JSON Schema the REST channel's OpenAPI document uses."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return check(doc["components"]["schemas"][name], value, doc, where)
    kind = schema.get("type")
    types = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool}
    if kind and not isinstance(value, types[kind]):
        raise SchemaError(f"{where}: {value!r} is not {kind}")
    if "enum" in schema and value not in schema["enum"]:
        raise SchemaError(f"{where}: {value!r} not in {schema['enum']}")
    if kind == "object":
        for key in schema.get("required", []):
            if key not in value:
                raise SchemaError(f"{where}: {key} is missing")
        props = schema.get("properties", {})
        for key, item in value.items():
            if key not in props:
                if schema.get("additionalProperties", True) is False:
                    raise SchemaError(f"{where}: {key} is not in the document")
                continue
            check(props[key], item, doc, f"{where}.{key}")
    if kind == "array":
        for i, item in enumerate(value):
            check(schema["items"], item, doc, f"{where}[{i}]")


class RestGateway(https_client_test.HttpsGateway):
    """The HTTPS gateway of https_client_test, called on its REST channel."""
    openapi = None  # the document the gateway serves, fetched once per class

    def client_context(self, cert=None):
        ctx = self.context()
        if cert:
            ctx.load_cert_chain(pki(cert + ".pem"), pki(cert + ".key"))
        return ctx

    def call(self, path, body, headers=None, cert=None, method="POST"):
        """The status, headers and parsed JSON of one call; the answer is checked against the OpenAPI document."""
        conn = http.client.HTTPSConnection("127.0.0.1", self.gateway.port, context=self.client_context(cert), timeout=10)
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        sent = {"Content-Type": "application/json"}
        sent.update(headers or {})
        conn.request(method, "/api/v1/" + path, body=data, headers=sent)
        answer = conn.getresponse()
        raw = answer.read()
        conn.close()
        parsed = json.loads(raw) if raw else None
        if path != "openapi.json":
            self.conforms(path, answer.status, parsed, cert)
        return answer.status, answer, parsed, raw

    def conforms(self, path, status, parsed, cert):
        cls = type(self)
        if cls.openapi is None:
            conn = http.client.HTTPSConnection("127.0.0.1", self.gateway.port, context=self.client_context(cert), timeout=10)
            conn.request("GET", "/api/v1/openapi.json")
            cls.openapi = json.loads(conn.getresponse().read())
            conn.close()
        doc = cls.openapi
        responses = doc["paths"]["/" + path]["post"]["responses"]
        self.assertIn(str(status), responses, f"{path} answered {status}, which the document does not list")
        check(responses[str(status)]["content"]["application/json"]["schema"], parsed, doc)

    def sync_request(self, data, sender=True):
        info = {"messageId": "rest-1", "serviceId": "echo", "messageDate": DATE,
                "properties": [{"key": "k", "value": "v"}]}
        if sender:
            info["sender"] = {"senderId": "zeep-client", "password": "zeep-secret"}
        return {"request": {"requestInfo": info, "requestData": {"data": data}}}


class RestChannel(RestGateway):
    def test_the_openapi_document_is_served_and_names_every_operation(self):
        status, answer, doc, _ = self.call("openapi.json", None, method="GET")
        self.assertEqual(status, 200)
        self.assertEqual(doc["openapi"][:2], "3.")
        self.assertEqual(doc["servers"][0]["url"], "/api/v1")
        self.assertEqual(sorted(doc["paths"]), ["/async/getMessageStatus", "/async/getMessages",
                                                "/async/sendDeliveryNotification", "/async/sendMessage",
                                                "/sync/SendMessage"])

    def test_a_sync_call_carries_the_json_text_exactly(self):
        text = '{"request":{"requestInfo":{"messageId":"m","serviceId":"echo","messageDate":"%s",' \
               '"sender":{"senderId":"zeep-client","password":"zeep-secret"}},' \
               '"requestData":{"data":{"n": 9007199254740993, "x": 1.50, "s": "Сәлем"}}}}' % DATE
        status, _, parsed, raw = self.call("sync/SendMessage", text.encode())
        self.assertEqual(status, 200)
        self.assertIn(b'"data":{"n": 9007199254740993, "x": 1.50, "s": "\xd0\xa1\xd3\x99\xd0\xbb\xd0\xb5\xd0\xbc"}', raw)
        self.assertEqual(parsed["response"]["responseInfo"]["status"]["code"], "OK")
        self.assertEqual(parsed["response"]["responseInfo"]["correlationId"], "m")

    def test_http_basic_stands_for_the_sender(self):
        status, _, parsed, _ = self.call("sync/SendMessage", self.sync_request([1, 2], sender=False),
                                         {"Authorization": BASIC})
        self.assertEqual(status, 200)
        self.assertEqual(parsed["response"]["responseData"]["data"], [1, 2])

    def test_a_wrong_password_is_401_with_the_catalog_code(self):
        bad = "Basic " + base64.b64encode(b"zeep-client:nope").decode()
        status, answer, parsed, _ = self.call("sync/SendMessage", self.sync_request(1, sender=False), {"Authorization": bad})
        self.assertEqual(status, 401)
        self.assertEqual(parsed["errorCode"], "AUTH_FAILED")
        self.assertTrue(parsed["sessionId"].startswith("{"))
        self.assertIn("Basic", answer.getheader("WWW-Authenticate"))

    def test_an_unknown_service_is_404(self):
        req = self.sync_request(1)
        req["request"]["requestInfo"]["serviceId"] = "nothing"
        status, _, parsed, _ = self.call("sync/SendMessage", req)
        self.assertEqual((status, parsed["errorCode"]), (404, "UNKNOWN_SERVICE"))

    def test_bad_json_of_each_kind_is_400_naming_the_field(self):
        cases = {
            b'{"request": ': "the body is not JSON",
            b'[]': "the body must be a JSON object",
            b'{"request": {"requestInfo": {}, "requestInfo": {}}}': "request/requestInfo is repeated",
            b'{"request": {"requestInfo": {"messageId": 5}}}': "request/requestInfo/messageId must be a string",
            b'{"request": {"requestData": {}}}': "request/requestInfo is missing",
            b'{"request": {"requestInfo": {"messageId": "m", "serviceId": "echo", "messageDate": "%s", '
            b'"sender": {"senderId": "zeep-client"}, "colour": "red"}, "requestData": {}}}' % DATE.encode():
                "request/requestInfo/colour is not a field here",
        }
        for body, expected in cases.items():
            status, _, parsed, _ = self.call("sync/SendMessage", body)
            self.assertEqual(status, 400, body)
            self.assertEqual(parsed["errorCode"], "INVALID_REQUEST")
            self.assertIn(expected, parsed["errorMessage"])

    def test_a_non_json_content_type_is_415(self):
        status, _, parsed, _ = self.call("sync/SendMessage", self.sync_request(1), {"Content-Type": "text/xml"})
        self.assertEqual((status, parsed["errorCode"]), (415, "UNSUPPORTED_MEDIA_TYPE"))

    def test_an_oversized_body_is_413(self):
        conn = http.client.HTTPSConnection("127.0.0.1", self.gateway.port, context=self.client_context(), timeout=10)
        body = b'{"request": {"x": "' + b"a" * (11 * 1024 * 1024) + b'"}}'
        try:
            conn.request("POST", "/api/v1/sync/SendMessage", body=body, headers={"Content-Type": "application/json"})
            self.assertEqual(conn.getresponse().status, 413)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass  # the gateway answered 413 and closed before the body was all sent
        self.assertEqual(self.call("sync/SendMessage", self.sync_request(1))[0], 200)  # it keeps serving

    def test_the_async_operations_round_trip(self):
        send = {"request": {"messageInfo": {"serviceId": "inbox", "messageType": "REQUEST", "messageDate": DATE,
                                            "properties": [{"key": "k", "value": "v"}]},
                            "messageData": {"data": {"amount": 12345678901234567890}}}}
        status, _, sent, _ = self.call("async/sendMessage", send, {"Authorization": BASIC})
        self.assertEqual(status, 200)
        message_id = sent["response"]["messageId"]

        status, _, listed, raw = self.call("async/getMessages", {"request": {"serviceId": "inbox", "amount": 10}},
                                           {"Authorization": BASIC})
        self.assertEqual(status, 200)
        ours = [m for m in listed["response"]["messages"] if m["messageInfo"]["messageId"] == message_id]
        self.assertEqual(len(ours), 1)
        self.assertIn(b'"data":{"amount": 12345678901234567890}', raw)
        self.assertEqual(ours[0]["messageInfo"]["properties"], [{"key": "k", "value": "v"}])

        status, _, state, _ = self.call("async/getMessageStatus", {"request": {"messageId": message_id, "requestDate": DATE}},
                                        {"Authorization": BASIC})
        self.assertEqual((status, state["response"]["messageState"]), (200, "ON_DELIVERY"))

        report = {"request": {"requestDate": DATE, "notification": {
            "messageId": message_id, "serviceId": "inbox", "notificationDate": DATE,
            "deliveryStatus": {"receiveStatus": "MESSAGE_ACCEPTED", "statusDate": DATE, "resendMessage": "NOT_RESEND"}}}}
        status, _, confirmed, _ = self.call("async/sendDeliveryNotification", report, {"Authorization": BASIC})
        self.assertEqual(status, 200)
        self.assertTrue(confirmed["response"]["notificationId"])

        status, _, state, _ = self.call("async/getMessageStatus", {"request": {"messageId": message_id, "requestDate": DATE}},
                                        {"Authorization": BASIC})
        self.assertEqual(state["response"]["messageState"], "DELIVERED")
        status, _, again, _ = self.call("async/sendDeliveryNotification", report, {"Authorization": BASIC})
        self.assertEqual(status, 200)  # a repeated confirmation changes nothing
        report["request"]["notification"]["deliveryStatus"]["receiveStatus"] = "MESSAGE_NOT_ACCTEPTED"
        status, _, refused, _ = self.call("async/sendDeliveryNotification", report, {"Authorization": BASIC})
        self.assertEqual((status, refused["errorCode"]), (409, "MESSAGE_FINAL"))

    def test_a_status_query_for_an_unknown_message_is_404(self):
        status, _, parsed, _ = self.call("async/getMessageStatus", {"request": {"messageId": "none", "requestDate": DATE}},
                                         {"Authorization": BASIC})
        self.assertEqual((status, parsed["errorCode"]), (404, "UNKNOWN_MESSAGE"))


class RestChannelWithClientCertificates(RestGateway):
    @classmethod
    def setUpClass(cls):
        cls.client_ca = pki("ca.pem")
        super().setUpClass()

    def test_the_callers_own_certificate_calls(self):
        status, _, parsed, _ = self.call("sync/SendMessage", self.sync_request("x"), cert="sender")  # BIN 123456789012
        self.assertEqual(status, 200)

    def test_another_organisations_certificate_is_403(self):
        status, _, parsed, _ = self.call("sync/SendMessage", self.sync_request("x"), cert="other")  # BIN 555555555555
        self.assertEqual((status, parsed["errorCode"]), (403, "CERTIFICATE_MISMATCH"))
        self.assertIn("BIN 555555555555", parsed["errorMessage"])


class HttpsProvider:
    """A REST provider over HTTPS (Python's http.server and ssl) that requires a
    client certificate of the test CA; it echoes SendMessage and records who called."""

    def __init__(self, cert, key):
        self.callers = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.callers.append((self.path, dict(x[0] for x in self.connection.getpeercert()["subject"])))
                data = body["request"]["requestData"]["data"]
                answer = json.dumps({"response": {
                    "responseInfo": {"messageId": "p1", "responseDate": DATE, "status": {"code": "OK", "message": "tls"}},
                    "responseData": {"data": data}}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(pki("ca.pem"))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class HttpsDeliveryPoints(unittest.TestCase):
    """REST and SOAP points at https:// addresses: the provider's certificate is
    checked against the CA and the host name, and the gateway presents its own."""

    @classmethod
    def setUpClass(cls):
        subprocess.run(["bash", base.ARGS.make_pki, base.ARGS.pki], check=True, timeout=120)
        cls.provider = HttpsProvider(pki("tls-server.pem"), pki("tls-server.key"))
        cls.misnamed = HttpsProvider(pki("sender.pem"), pki("sender.key"))  # the right CA, not 127.0.0.1
        points = ""
        for name, url, keys in [
            ("tls-ok", f"https://127.0.0.1:{cls.provider.port}/api/", f'ca = "{pki("ca.pem")}"'),
            ("tls-default-ca", f"https://127.0.0.1:{cls.provider.port}/api/", ""),
            ("tls-stranger-ca", f"https://127.0.0.1:{cls.provider.port}/api/", f'ca = "{pki("stranger-ca.pem")}"'),
            ("tls-misnamed", f"https://127.0.0.1:{cls.misnamed.port}/api/", f'ca = "{pki("ca.pem")}"'),
        ]:
            points += f"""
[[delivery_points]]
id = "{name}"
url = "{url}"
protocol = "rest"
{keys}
client_cert = {{ cert = "{pki('gateway.pem')}", key = "{pki('gateway.key')}" }}
[[services]]
id = "{name}"
owner = "zeep-client"
delivery_point = "{name}"
[[access]]
system = "zeep-client"
service = "{name}"
"""
        extra = f'[security]\ntrusted_ca = ["{pki("ca.pem")}"]\n' + points
        cls.tmp = tempfile.TemporaryDirectory()
        cls.gateway = base.Gateway(cls.tmp.name, extra)

    @classmethod
    def tearDownClass(cls):
        cls.gateway.stop()
        cls.provider.stop()
        cls.misnamed.stop()
        cls.tmp.cleanup()

    def call(self, service):
        conn = http.client.HTTPConnection("127.0.0.1", self.gateway.port, timeout=20)
        body = {"request": {"requestInfo": {"messageId": "t1", "serviceId": service, "messageDate": DATE},
                            "requestData": {"data": {"n": 9007199254740993}}}}
        conn.request("POST", "/api/v1/sync/SendMessage", body=json.dumps(body),
                     headers={"Content-Type": "application/json", "Authorization": BASIC})
        answer = conn.getresponse()
        return answer.status, json.loads(answer.read())

    def test_a_call_over_https_with_the_gateways_client_certificate(self):
        for service in ("tls-ok", "tls-default-ca"):
            status, answer = self.call(service)
            self.assertEqual(status, 200, answer)
            self.assertEqual(answer["response"]["responseData"]["data"], {"n": 9007199254740993})
        path, subject = self.provider.callers[-1]
        self.assertEqual(path, "/api/SendMessage")
        self.assertIn("BIN990000000001", subject.get("organizationalUnitName", ""))  # the gateway's certificate

    def test_a_provider_certificate_of_another_ca_is_refused(self):
        status, answer = self.call("tls-stranger-ca")
        self.assertEqual((status, answer["errorCode"]), (502, "PROVIDER_UNREACHABLE"))
        self.assertIn("certificate", answer["errorMessage"])

    def test_a_provider_certificate_for_another_host_is_refused(self):
        status, answer = self.call("tls-misnamed")
        self.assertEqual((status, answer["errorCode"]), (502, "PROVIDER_UNREACHABLE"))
        self.assertIn("IP address mismatch", answer["errorMessage"])
        self.assertEqual(self.misnamed.callers, [])


if __name__ == "__main__":
    base.main(sys.modules[__name__])
