// Transport signatures on the asynchronous channel: every operation on
// /bip-async-wss-gost/ carries its caller's signature; security_mode 2 asks
// for it on /bip-async/ too; what the gateway PUSHes to a mode 1 point is
// signed by it; the signer is journalled with the message.
#include "tests/integration/async_helpers.hpp"
#include "tests/integration/wss_helpers.hpp"
#include "tests/support/fake_provider.hpp"

using namespace qaqpa;
using namespace qaqpa::test;

namespace {

constexpr const char* signed_path = "/bip-async-wss-gost/";

} // namespace

TEST_CASE("the signed async endpoint takes signed operations and refuses unsigned ones", "[integration][wss]") {
    gateway gw(secured());
    const async_send m;
    const auto refused = soap_post(gw.port(), signed_path, send_message_xml(m));
    CHECK(fault_code(refused) == "SIGNATURE_REQUIRED");
    CHECK(refused.body.find("sendMessageFault1_sendMessageFault") != std::string::npos);

    const auto reply = soap_post(gw.port(), signed_path, signed_as("sender", send_message_xml(m)));
    INFO(reply.body);
    REQUIRE(reply.status == 200);
    check_valid(reply.body);
    CHECK(gateway_signature(reply.body)); // the answer is signed by the gateway
    const auto id = field(reply.body, "messageId");

    // the other operations too: the status, signed and unsigned
    CHECK(fault_code(soap_post(gw.port(), signed_path, message_status_xml(login{}, id))) == "SIGNATURE_REQUIRED");
    const auto status = soap_post(gw.port(), signed_path, signed_as("sender", message_status_xml(login{}, id)));
    INFO(status.body);
    CHECK(field(status.body, "messageState") == "ON_DELIVERY");
    // a certificate of another organisation is refused on any operation
    CHECK(fault_code(soap_post(gw.port(), signed_path, signed_as("other", message_status_xml(login{}, id)))) ==
          "CERTIFICATE_MISMATCH");

    // the signer is journalled with the acceptance
    const auto rows = admin_call(gw, "GET", "/admin/v1/journal?messageId=" + id + "&event=accepted");
    INFO(rows.body);
    CHECK(rows.body.find("signed by") != std::string::npos);
    CHECK(rows.body.find("OU=BIN123456789012") != std::string::npos);
}

TEST_CASE("security_mode 2 on an async point asks for the caller's signature on /bip-async/", "[integration][wss]") {
    node_settings s = secured();
    s.extra_registry = point_with_service("strict", "http://127.0.0.1:9/", "security_mode = 2");
    gateway gw(s);
    async_send m;
    m.service = "strict-svc";
    CHECK(fault_code(soap_post(gw.port(), "/bip-async/", send_message_xml(m))) == "SIGNATURE_REQUIRED");
    auto tampered = signed_as("sender", send_message_xml(m));
    replace_once(tampered, "Сәлем", "Салем");
    CHECK(fault_code(soap_post(gw.port(), "/bip-async/", tampered)) == "SIGNATURE_INVALID");
    CHECK(soap_post(gw.port(), "/bip-async/", signed_as("sender", send_message_xml(m))).status == 200);
    // other services on the plain path need none
    CHECK(soap_post(gw.port(), "/bip-async/", send_message_xml(async_send{})).status == 200);
}

TEST_CASE("what the gateway PUSHes to a security_mode 1 point is signed by it", "[integration][wss]") {
    fake_provider recipient(provider_mode::recipient);
    node_settings s = secured();
    s.extra_registry = point_with_service("signed-push", recipient.url(), "security_mode = 1", "",
                                          "delivery = \"push\"\n");
    gateway gw(s);
    async_send m;
    m.service = "signed-push-svc";
    const auto a = accept(gw.port(), m);
    REQUIRE(eventually([&] { return state_of(gw.port(), login{}, a.message_id) == "DELIVERED"; }));
    const auto got = recipient.requests();
    REQUIRE(got.size() == 1);
    INFO(got[0].body);
    auto sig = gateway_signature(got[0].body);
    INFO((sig ? std::string() : sig.error().detail));
    REQUIRE(sig);
    CHECK(sig->signer.bin() == "990000000001");
    CHECK(got[0].body.find(m.payload) != std::string::npos);
    CHECK(field(got[0].body, "messageId") == a.message_id);
}

TEST_CASE("an access row's security_mode 1 signs the PUSH to the point and the status notifications to its sender",
          "[integration][wss]") {
    fake_provider recipient(provider_mode::recipient);
    fake_provider sender_side(provider_mode::recipient);
    node_settings s = secured();
    s.sender_address = sender_side.url();
    s.push_url = recipient.url();
    s.extra_registry = point_with_service("raised", recipient.url(), "", "security_mode = 1",
                                          "delivery = \"push\"\nnotify_status = true\n");
    gateway gw(s);
    async_send m;
    m.service = "raised-svc";
    const auto a = accept(gw.port(), m);
    REQUIRE(eventually([&] { return sender_side.request_count() >= 1; }));
    const auto pushed = recipient.requests();
    REQUIRE(pushed.size() == 1);
    CHECK(gateway_signature(pushed[0].body)); // the point's own mode is 0: the access row raised it
    const auto notice = sender_side.requests().front().body;
    INFO(notice);
    CHECK(field(notice, "messageId") == a.message_id);
    CHECK(field(notice, "messageState") == "DELIVERED");
    auto sig = gateway_signature(notice);
    INFO((sig ? std::string() : sig.error().detail));
    REQUIRE(sig);
    CHECK(sig->signer.bin() == "990000000001");

    // a service whose mode stays 0 notifies unsigned
    async_send plain = m;
    plain.service = "push-svc";
    const auto b = accept(gw.port(), plain);
    std::string unsigned_notice;
    REQUIRE(eventually([&] {
        for (const auto& r : sender_side.requests())
            if (field(r.body, "messageId") == b.message_id) unsigned_notice = r.body;
        return !unsigned_notice.empty();
    }));
    CHECK(unsigned_notice.find("wsse:Security") == std::string::npos);
}
