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

using namespace qaqpa;
using namespace qaqpa::test;

namespace {

constexpr const char* gateway_bin = "990000000001"; // the test PKI's gateway certificate

/// The far node: the near node as a gateway system (and, when `near_url` is
/// given, as the peer its way back goes to), and "across" a PULL service of
/// "owner" there.
node_settings far_node(const std::string& near_url = {}) {
    node_settings s = secured();
    if (!near_url.empty())
        s.extra_registry = "[[peers]]\nid = \"near\"\nurl = \"" + near_url +
                           "\"\nlogin = \"gw-far\"\npassword = \"far-password\"\nbin = \"" + gateway_bin + "\"\n";
    s.extra_registry += std::string("[[systems]]\nid = \"gw-near\"\npassword = \"hop-password\"\nbin = \"") +
                       gateway_bin + "\"\ngateway = true\n"
                       "[[services]]\nid = \"across\"\nowner = \"owner\"\nmode = \"async\"\ndelivery = \"pull\"\n"
                       "[[access]]\nsystem = \"gw-near\"\nservice = \"across\"\n";
    return s;
}

/// The near node: "across" goes to the peer listening at `far_url`, which
/// calls back as the gateway system "gw-far".
node_settings near_node(const std::string& far_url) {
    node_settings s = secured();
    s.extra_registry = std::string("[[systems]]\nid = \"gw-far\"\npassword = \"far-password\"\nbin = \"") +
                       gateway_bin + "\"\ngateway = true\n"
                       "[[peers]]\nid = \"far\"\nurl = \"" + far_url +
                       "\"\nlogin = \"gw-near\"\npassword = \"hop-password\"\nbin = \"" + gateway_bin + "\"\n"
                       "[[delivery_points]]\nid = \"to-far\"\nprotocol = \"gateway\"\npeer = \"far\"\n"
                       "security_mode = 1\nretries = 3\nbackoff_ms = 50\n"
                       "[[services]]\nid = \"across\"\nowner = \"owner\"\nmode = \"async\"\ndelivery_point = \"to-far\"\n"
                       "[[access]]\nsystem = \"sender\"\nservice = \"across\"\n";
    return s;
}

std::string url_of(const gateway& g) { return "http://127.0.0.1:" + std::to_string(g.port()); }

async_send across() {
    async_send m;
    m.service = "across";
    return m;
}

} // namespace

TEST_CASE("an asynchronous message crosses the hop under its first node's ids, and its answer comes back",
          "[integration][peer]") {
    // The nodes name each other; the far node's way back reaches the near
    // one through a relay, since the near node's port is known only once it runs.
    std::atomic<std::uint16_t> near_port{0};
    fake_provider relay(provider_mode::custom);
    relay.answer_with([&](const received_request& r) {
        const auto reply = soap_post(near_port.load(), r.target, r.body);
        return custom_answer{reply.status == 0 ? 502 : reply.status, "text/xml; charset=utf-8", reply.body};
    });
    gateway far(far_node("http://127.0.0.1:" + std::to_string(relay.port())));
    gateway near(near_node(url_of(far)));
    near_port = near.port();

    const auto s = accept(near.port(), across());
    const login owner{"owner", "owner-password"};
    // the near node hands it over; the far node keeps it for its recipient
    REQUIRE(eventually([&] { return state_of(near.port(), login{}, s.message_id) == "DELIVERED"; }));
    const auto reply = async_call(far.port(), get_messages_xml(owner, "across"));
    REQUIRE(reply.status == 200);
    CHECK(message_ids(reply.body) == std::vector<std::string>{s.message_id});
    CHECK(field(reply.body, "correlationId") == s.correlation_id);
    CHECK(reply.body.find("Сәлем, қақпа!") != std::string::npos);
    // at the far node the sender is the near node, and the recipient confirms it there
    async_call(far.port(), delivery_notification_xml(owner, "across", s.message_id, true));
    CHECK(state_of(far.port(), owner, s.message_id) == "DELIVERED");
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
