// Two nodes on loopback, an internal and an external gateway: an
// asynchronous message crosses the signed hop under the ids its first node
// gave it, waits at the far node for its recipient to PULL it, and the
// recipient's RESPONSE travels back across the hop to the IS that opened the
// chain; a forward the far node already took (a retry after a lost answer)
// is answered as accepted again and stored once.
#include "tests/integration/async_helpers.hpp"
#include "tests/integration/wss_helpers.hpp"
#include "tests/support/fake_provider.hpp"

#include <atomic>
#include <map>

using namespace qaqpa;
using namespace qaqpa::test;

namespace {

constexpr const char* gateway_bin = "990000000001"; // the test PKI's gateway certificate

/// Whose keys sign and judge the hop: both nodes' [security] (the test CA,
/// the gateway pair), or each peer entry's own (the peers' CA; the near
/// node's pair has BIN 990000000003, the far node's 990000000002).
enum class hop_pki { shared, per_peer };

struct hop_side {
    std::string bin;  ///< the node's BIN as its peer registers it
    std::string keys; ///< the lines its peer entry adds
};

hop_side near_side(hop_pki pki) {
    if (pki == hop_pki::shared) return {gateway_bin, ""};
    return {"990000000003", "trusted_ca = \"" + pki_file("peer-ca.pem") + "\"\ngateway_cert = \"" +
                                pki_file("hop-near.pem") + "\"\ngateway_key = \"" + pki_file("hop-near.key") + "\"\n"};
}
hop_side far_side(hop_pki pki) {
    if (pki == hop_pki::shared) return {gateway_bin, ""};
    return {"990000000002", "trusted_ca = \"" + pki_file("peer-ca.pem") + "\"\ngateway_cert = \"" +
                                pki_file("hop-far.pem") + "\"\ngateway_key = \"" + pki_file("hop-far.key") + "\"\n"};
}

/// [security] with the test CA; a peer's own CA is judged with [security]'s CRLs, so its CRL is there too.
node_settings node_security(hop_pki pki) {
    if (pki == hop_pki::shared) return secured();
    node_settings s;
    s.extra_toml = "\n[security]\ngateway_cert = \"" + pki_file("gateway.pem") + "\"\ngateway_key = \"" +
                   pki_file("gateway.key") + "\"\ntrusted_ca = [\"" + pki_file("ca.pem") + "\"]\ncrls = [\"" +
                   pki_file("crl.pem") + "\", \"" + pki_file("peer-crl.pem") + "\"]\n";
    return s;
}

/// The far node: the near node as a gateway system (and, when `near_url` is
/// given, as the peer its way back goes to), and "across" a PULL service of
/// "owner" there.
node_settings far_node(const std::string& near_url = {}, hop_pki pki = hop_pki::shared) {
    node_settings s = node_security(pki);
    const auto near = near_side(pki), far = far_side(pki);
    if (!near_url.empty())
        s.extra_registry = "[[peers]]\nid = \"near\"\nurl = \"" + near_url +
                           "\"\nlogin = \"gw-far\"\npassword = \"far-password\"\nbin = \"" + near.bin + "\"\n" + far.keys;
    s.extra_registry += std::string("[[systems]]\nid = \"gw-near\"\npassword = \"hop-password\"\nbin = \"") +
                       near.bin + "\"\ngateway = true\n"
                       "[[services]]\nid = \"across\"\nowner = \"owner\"\nmode = \"async\"\ndelivery = \"pull\"\n"
                       "[[access]]\nsystem = \"gw-near\"\nservice = \"across\"\n";
    return s;
}

/// The near node: "across" goes to the peer listening at `far_url`, which
/// calls back as the gateway system "gw-far"; the sender PUSHed to at
/// `sender_address` when one is given, "across" with `service_keys`.
node_settings near_node(const std::string& far_url, const std::string& sender_address = {},
                        const std::string& service_keys = {}, hop_pki pki = hop_pki::shared) {
    node_settings s = node_security(pki);
    const auto near = near_side(pki), far = far_side(pki);
    s.sender_address = sender_address;
    s.extra_registry = std::string("[[systems]]\nid = \"gw-far\"\npassword = \"far-password\"\nbin = \"") +
                       far.bin + "\"\ngateway = true\n"
                       "[[peers]]\nid = \"far\"\nurl = \"" + far_url +
                       "\"\nlogin = \"gw-near\"\npassword = \"hop-password\"\nbin = \"" + far.bin + "\"\n" + near.keys +
                       "[[delivery_points]]\nid = \"to-far\"\nprotocol = \"gateway\"\npeer = \"far\"\n"
                       "security_mode = 1\nretries = 3\nbackoff_ms = 50\n"
                       "[[services]]\nid = \"across\"\nowner = \"owner\"\nmode = \"async\"\ndelivery_point = \"to-far\"\n" +
                       service_keys + "[[access]]\nsystem = \"sender\"\nservice = \"across\"\n";
    return s;
}

std::string url_of(const gateway& g) { return "http://127.0.0.1:" + std::to_string(g.port()); }

/// The far node's way back to the near one: the far node's `[[peers]]` URL
/// is needed before the near node runs (and has its port), so a relay in
/// between passes its calls on once it does.
struct way_back {
    std::atomic<std::uint16_t> near_port{0};
    fake_provider relay{provider_mode::custom};
    way_back() {
        relay.answer_with([this](const received_request& r) {
            const auto reply = soap_post(near_port.load(), r.target, r.body);
            return custom_answer{reply.status == 0 ? 502 : reply.status, "text/xml; charset=utf-8", reply.body};
        });
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(relay.port()); }
};

/// The statusCode getMessageStatus answers for message `id`.
std::string status_code_of(std::uint16_t port, const std::string& id) {
    return field(async_call(port, message_status_xml(login{}, id)).body, "statusCode");
}

async_send across() {
    async_send m;
    m.service = "across";
    return m;
}

} // namespace

TEST_CASE("an asynchronous message crosses the hop under its first node's ids, and its answer comes back",
          "[integration][peer]") {
    // The nodes name each other (the far node's way back goes through a relay).
    way_back back;
    gateway far(far_node(back.url()));
    gateway near(near_node(url_of(far)));
    back.near_port = near.port();
    auto& relay = back.relay;

    const auto s = accept(near.port(), across());
    const login owner{"owner", "owner-password"};
    // the near node hands it over (on its way, not yet delivered); the far node keeps it for its recipient
    REQUIRE(eventually([&] { return status_code_of(near.port(), s.message_id) == "FORWARDED"; }));
    CHECK(state_of(near.port(), login{}, s.message_id) == "ON_DELIVERY");
    const auto reply = async_call(far.port(), get_messages_xml(owner, "across"));
    REQUIRE(reply.status == 200);
    CHECK(message_ids(reply.body) == std::vector<std::string>{s.message_id});
    CHECK(field(reply.body, "correlationId") == s.correlation_id);
    CHECK(reply.body.find("Сәлем, қақпа!") != std::string::npos);
    // at the far node the sender is the near node, and the recipient confirms it there
    async_call(far.port(), delivery_notification_xml(owner, "across", s.message_id, true));
    CHECK(state_of(far.port(), owner, s.message_id) == "DELIVERED");
    // the far node reports it back: the near node's sender sees it delivered at the far end
    REQUIRE(eventually([&] { return state_of(near.port(), login{}, s.message_id) == "DELIVERED"; }));
    CHECK(field(async_call(near.port(), message_status_xml(login{}, s.message_id)).body, "statusMessage") ==
          "at peer gateway &quot;far&quot;: confirmed by the recipient"); // as the XML has it
    // the far node's journal names the peer and the first sender
    CHECK(admin_call(far, "GET", "/admin/v1/journal?messageId=" + s.message_id).body.find(
              "forwarded by peer gw-near, origin sender") != std::string::npos);

    // the recipient's RESPONSE goes back across the hop to the IS that opened the chain
    async_send answer = across();
    answer.who = owner;
    answer.type = "RESPONSE";
    answer.correlation_id = s.correlation_id;
    answer.payload = "<answer xmlns=\"urn:example\">Жауап</answer>";
    const auto r = accept(far.port(), answer);
    std::string got;
    REQUIRE(eventually([&] {
        got = async_call(near.port(), get_messages_xml(login{}, "across")).body;
        return !message_ids(got).empty();
    }));
    CHECK(message_ids(got) == std::vector<std::string>{r.message_id}); // the far node's id, kept
    CHECK(field(got, "correlationId") == s.correlation_id);
    CHECK(got.find("Жауап") != std::string::npos);
    REQUIRE_FALSE(relay.requests().empty());
    CHECK(relay.requests()[0].target == "/bip-async/");
    REQUIRE(gateway_signature(relay.requests()[0].body)); // the way back is signed too
}

TEST_CASE("a forward the far node already took is accepted again and stored once", "[integration][peer]") {
    // the near node's forward, caught on its way: what a retry sends again
    fake_provider catcher(provider_mode::recipient);
    gateway near(near_node("http://127.0.0.1:" + std::to_string(catcher.port())));
    const auto s = accept(near.port(), across());
    REQUIRE(eventually([&] { return !catcher.requests().empty(); }));
    const auto forwarded = catcher.requests()[0];
    CHECK(forwarded.target == "/bip-async/");
    REQUIRE(gateway_signature(forwarded.body)); // the hop is signed as the near node
    // its id is the trace across the hop, and the far node learns who sent it first
    CHECK(property_in(forwarded.body, "qaqpa.traceId") == s.message_id);
    CHECK(property_in(forwarded.body, "qaqpa.origin") == "sender");

    gateway far(far_node());
    for (int attempt = 0; attempt < 2; ++attempt) {
        const auto reply = async_call(far.port(), forwarded.body);
        INFO(reply.body);
        REQUIRE(reply.status == 200);
        CHECK(field(reply.body, "messageId") == s.message_id);
        CHECK(field(reply.body, "correlationId") == s.correlation_id);
    }
    const login owner{"owner", "owner-password"};
    CHECK(pull(far.port(), owner, "across") == std::vector<std::string>{s.message_id});
    CHECK(pull(far.port(), owner, "across").empty()); // one message, offered once

    SECTION("a peer's message without the ids its first node gave is refused") {
        async_send m = across();
        m.who = login{"gw-near", "hop-password"};
        const auto refused = soap_post(far.port(), "/bip-async/", signed_as("gateway", send_message_xml(m)));
        INFO(refused.body);
        CHECK(fault_code(refused) == "INVALID_REQUEST");
        CHECK(field(refused.body, "errorMessage").find("messageId its first node gave") != std::string::npos);
    }
}

TEST_CASE("the far node's state changes come back: the near node reports them and tells its sender",
          "[integration][peer]") {
    way_back back;
    fake_provider sender(provider_mode::recipient); // the near node's sender hears of its messages here
    gateway far(far_node(back.url()));
    gateway near(near_node(url_of(far), sender.url(), "notify_status = true\n"));
    back.near_port = near.port();

    const auto delivered = accept(near.port(), across());
    const auto refused = accept(near.port(), across());
    const login owner{"owner", "owner-password"};
    std::vector<std::string> offered;
    REQUIRE(eventually([&] {
        for (const auto& id : pull(far.port(), owner, "across")) offered.push_back(id);
        return offered.size() == 2;
    }));
    async_call(far.port(), delivery_notification_xml(owner, "across", delivered.message_id, true));
    async_call(far.port(), delivery_notification_xml(owner, "across", refused.message_id, false, false));
    REQUIRE(eventually([&] { return state_of(near.port(), login{}, refused.message_id) == "NOT_DELIVERED"; }));
    REQUIRE(eventually([&] { return state_of(near.port(), login{}, delivered.message_id) == "DELIVERED"; }));
    CHECK(status_code_of(near.port(), refused.message_id) == "REJECTED"); // the far node's code, kept

    // the sender is told of each final state once (taken by the peer is no change of state)
    std::map<std::string, std::vector<std::string>> told;
    REQUIRE(eventually([&] {
        told.clear();
        for (const auto& r : sender.requests())
            if (r.body.find("changeMassageStatusNotification") != std::string::npos)
                told[field(r.body, "messageId")].push_back(field(r.body, "messageState"));
        return told.size() == 2;
    }));
    CHECK(told[delivered.message_id] == std::vector<std::string>{"DELIVERED"});
    CHECK(told[refused.message_id] == std::vector<std::string>{"NOT_DELIVERED"});
    // the near node's journal has the far node's word
    const auto trail = admin_call(near, "GET", "/admin/v1/messages/" + refused.message_id).body;
    INFO(trail);
    CHECK(trail.find("at peer gateway \\\"far\\\": refused by the recipient") != std::string::npos);
    CHECK(trail.find("taken by peer gateway") != std::string::npos);

    SECTION("a report only the peer's certificate signed is taken") {
        // a repeated report (its answer lost on the way) changes nothing and is answered
        const auto again = soap_post(near.port(), "/bip-async/",
                                     signed_as("gateway", status_report_xml(delivered.message_id, "NOT_DELIVERED")));
        INFO(again.body);
        CHECK(again.status == 200);
        CHECK(again.body.find("changeMassageStatusNotificationResponse") != std::string::npos);
        REQUIRE(gateway_signature(again.body)); // a signed hop back
        CHECK(state_of(near.port(), login{}, delivered.message_id) == "DELIVERED");

        CHECK(fault_code(soap_post(near.port(), "/bip-async/", status_report_xml(delivered.message_id, "DELIVERED"))) ==
              "SIGNATURE_REQUIRED");
        CHECK(fault_code(soap_post(near.port(), "/bip-async/",
                                   signed_as("sender", status_report_xml(delivered.message_id, "DELIVERED")))) ==
              "CERTIFICATE_MISMATCH");
        CHECK(fault_code(soap_post(near.port(), "/bip-async/",
                                   signed_as("gateway", status_report_xml("not-a-forwarded-message", "DELIVERED")))) ==
              "UNKNOWN_MESSAGE");
    }
}

TEST_CASE("each peer's hops are signed with its own pair and judged by its own CA", "[integration][peer]") {
    // Both nodes' [security] trust only the test CA and sign as the test
    // gateway; the hop between them uses the peers' CA and pairs alone.
    way_back back;
    fake_provider sender(provider_mode::recipient);
    gateway far(far_node(back.url(), hop_pki::per_peer));
    gateway near(near_node(url_of(far), sender.url(), "notify_status = true\n", hop_pki::per_peer));
    back.near_port = near.port();

    const auto s = accept(near.port(), across());
    const login owner{"owner", "owner-password"};
    std::vector<std::string> offered;
    REQUIRE(eventually([&] {
        for (const auto& id : pull(far.port(), owner, "across")) offered.push_back(id);
        return !offered.empty();
    }));
    CHECK(offered == std::vector<std::string>{s.message_id}); // the far node took the near node's hop pair
    async_call(far.port(), delivery_notification_xml(owner, "across", s.message_id, true));
    // the far node's report, signed with its own pair, is judged by the peers' CA on the near node
    REQUIRE(eventually([&] { return state_of(near.port(), login{}, s.message_id) == "DELIVERED"; }));
    REQUIRE_FALSE(back.relay.requests().empty());
    const auto report = gateway_signature(back.relay.requests()[0].body);
    REQUIRE(report);
    CHECK(report->signer.bin() == "990000000002");
    // the near node's answer to that report is signed with its pair for this peer
    const auto answered = soap_post(near.port(), "/bip-async/", back.relay.requests()[0].body);
    const auto answer_signer = gateway_signature(answered.body);
    REQUIRE(answer_signer);
    CHECK(answer_signer->signer.bin() == "990000000003");
    // what the near node's own sender hears is signed as [security] says, not with the hop pair
    REQUIRE(eventually([&] { return !sender.requests().empty(); }));
    if (const auto told = gateway_signature(sender.requests()[0].body)) CHECK(told->signer.bin() == gateway_bin);

    SECTION("a peer presenting a certificate of another CA is refused, even one [security] trusts") {
        const auto again = soap_post(near.port(), "/bip-async/",
                                     signed_as("hop-far", status_report_xml(s.message_id, "DELIVERED")));
        CHECK(again.status == 200); // the peers' CA and the peer's BIN: taken (a repeated report)
        async_send m = across();
        m.who = login{"gw-near", "hop-password"};
        // the near node's BIN, issued by the test CA the far node's [security] trusts
        CHECK(fault_code(soap_post(far.port(), "/bip-async/", signed_as("hop-near-main", send_message_xml(m)))) ==
              "CERTIFICATE_UNTRUSTED");
        CHECK(fault_code(soap_post(far.port(), "/bip-async/", signed_as("gateway", send_message_xml(m)))) ==
              "CERTIFICATE_UNTRUSTED"); // [security]'s own pair is no peer's
    }
}
