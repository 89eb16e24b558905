// The asynchronous channel with PULL delivery: sendMessage, getMessages,
// sendDeliveryNotification, getMessageStatus, chains, leases, restart.
#include "tests/integration/async_helpers.hpp"
#include "tests/integration/node_fixture.hpp"

using namespace qaqpa;
using namespace qaqpa::test;

TEST_CASE("a REQUEST is accepted with gateway ids and pulled by the owner only", "[integration][async]") {
    gateway gw;
    async_send m;
    m.correlation_id = "client-chain"; // a REQUEST opens a new chain whatever the client says
    const auto a = accept(gw.port(), m);
    CHECK(a.message_id.size() == 36);
    CHECK(a.correlation_id.size() == 36);
    CHECK(a.correlation_id != "client-chain");

    CHECK(pull(gw.port(), sender_login, "async-only").empty());   // not addressed to the sender
    CHECK(pull(gw.port(), stranger_login, "async-only").empty()); // nor to a stranger
    const auto reply = async_call(gw.port(), get_messages_xml(owner_login, "async-only"));
    REQUIRE(reply.status == 200);
    CHECK(message_ids(reply.body) == std::vector<std::string>{a.message_id});
    CHECK(field(reply.body, "correlationId") == a.correlation_id);
    CHECK(field(reply.body, "senderId") == "sender");
    CHECK(reply.body.find("sender-password") == std::string::npos); // the password is never passed on
    CHECK(reply.body.find(m.payload) != std::string::npos);         // the payload, byte for byte
    CHECK(state_of(gw.port(), sender_login, a.message_id) == "ON_DELIVERY");
}

TEST_CASE("MESSAGE_ACCEPTED delivers; the message is not offered again", "[integration][async]") {
    gateway gw;
    const auto a = accept(gw.port(), {});
    REQUIRE(pull(gw.port(), owner_login, "async-only").size() == 1);
    const auto ack = async_call(gw.port(), delivery_notification_xml(owner_login, "async-only", a.message_id, true));
    REQUIRE(ack.status == 200);
    CHECK_FALSE(field(ack.body, "notificationId").empty());
    CHECK(state_of(gw.port(), sender_login, a.message_id) == "DELIVERED");
    CHECK(state_of(gw.port(), owner_login, a.message_id) == "DELIVERED");
    CHECK(pull(gw.port(), owner_login, "async-only").empty());
    // A repeated confirmation is answered, not refused.
    CHECK(async_call(gw.port(), delivery_notification_xml(owner_login, "async-only", a.message_id, true)).status == 200);
}

TEST_CASE("an offered message is leased: a second pull does not see it", "[integration][async]") {
    gateway gw;
    const auto first = accept(gw.port(), {});
    const auto second = accept(gw.port(), {});
    CHECK(pull(gw.port(), owner_login, "async-only", 1) == std::vector<std::string>{first.message_id});
    CHECK(pull(gw.port(), owner_login, "async-only", 5) == std::vector<std::string>{second.message_id});
    CHECK(pull(gw.port(), owner_login, "async-only").empty());
}

TEST_CASE("the lease ends and an unconfirmed message is offered again", "[integration][async]") {
    node_settings s;
    s.extra_toml = "pull_lease_ms = 300";
    gateway gw(s);
    const auto a = accept(gw.port(), {});
    REQUIRE(pull(gw.port(), owner_login, "async-only").size() == 1);
    CHECK(pull(gw.port(), owner_login, "async-only").empty());
    CHECK(eventually([&] { return pull(gw.port(), owner_login, "async-only") == std::vector<std::string>{a.message_id}; }));
}

TEST_CASE("RESEND offers the message again; NOT_RESEND makes it NOT_DELIVERED", "[integration][async]") {
    gateway gw;
    const auto a = accept(gw.port(), {});
    REQUIRE(pull(gw.port(), owner_login, "async-only").size() == 1);
    REQUIRE(async_call(gw.port(), delivery_notification_xml(owner_login, "async-only", a.message_id, false, true)).status == 200);
    CHECK(state_of(gw.port(), sender_login, a.message_id) == "ON_DELIVERY");
    REQUIRE(pull(gw.port(), owner_login, "async-only") == std::vector<std::string>{a.message_id});
    REQUIRE(async_call(gw.port(), delivery_notification_xml(owner_login, "async-only", a.message_id, false, false)).status == 200);
    CHECK(state_of(gw.port(), sender_login, a.message_id) == "NOT_DELIVERED");
    CHECK(pull(gw.port(), owner_login, "async-only").empty());
    check_fault(async_call(gw.port(), delivery_notification_xml(owner_login, "async-only", a.message_id, true)),
                "MESSAGE_FINAL", "sendDeliveryNotificationFault1_sendDeliveryNotificationFault");
}

TEST_CASE("getMessages honours amount, the default batch and the cap", "[integration][async]") {
    node_settings s;
    s.extra_toml = "pull_batch_default = 2\npull_batch_max = 3";
    gateway gw(s);
    for (int i = 0; i < 8; ++i) accept(gw.port(), {});
    CHECK(pull(gw.port(), owner_login, "async-only").size() == 2);     // absent → default
    CHECK(pull(gw.port(), owner_login, "async-only", 0).size() == 2);  // 0 → default
    CHECK(pull(gw.port(), owner_login, "async-only", 50).size() == 3); // capped
    CHECK(pull(gw.port(), owner_login, "async-only", 1).size() == 1);
}

TEST_CASE("getMessages filters by messageId and by correlationId", "[integration][async]") {
    gateway gw;
    const auto a = accept(gw.port(), {});
    const auto b = accept(gw.port(), {});
    auto reply = async_call(gw.port(), get_messages_xml(owner_login, "async-only", -1, b.message_id));
    CHECK(message_ids(reply.body) == std::vector<std::string>{b.message_id});
    reply = async_call(gw.port(), get_messages_xml(owner_login, "async-only", -1, "", a.correlation_id));
    CHECK(message_ids(reply.body) == std::vector<std::string>{a.message_id});
}

TEST_CASE("the owner's RESPONSE goes back to the IS that opened the chain", "[integration][async]") {
    gateway gw;
    const auto request = accept(gw.port(), {});
    const auto response = answer_in_chain(gw.port(), request, "<answer>42</answer>"); // the owner needs no access row
    CHECK(response.correlation_id == request.correlation_id);
    CHECK(response.message_id != request.message_id);

    const auto reply = async_call(gw.port(), get_messages_xml(sender_login, "async-only"));
    CHECK(message_ids(reply.body) == std::vector<std::string>{response.message_id});
    CHECK(field(reply.body, "messageType") == "RESPONSE");
    CHECK(reply.body.find("<answer>42</answer>") != std::string::npos);
    CHECK(message_ids(async_call(gw.port(), get_messages_xml(owner_login, "async-only")).body) ==
          std::vector<std::string>{request.message_id});
}

TEST_CASE("chain rules: a RESPONSE needs an existing chain it is a party of", "[integration][async]") {
    gateway gw;
    async_send m;
    m.who = owner_login;
    m.type = "RESPONSE";
    check_fault(async_call(gw.port(), send_message_xml(m)), "UNKNOWN_CHAIN", "sendMessageFault1_sendMessageFault");
    m.correlation_id = "no-such-chain";
    check_fault(async_call(gw.port(), send_message_xml(m)), "UNKNOWN_CHAIN", "sendMessageFault1_sendMessageFault");
    const auto request = accept(gw.port(), {});
    m.who = stranger_login;
    m.correlation_id = request.correlation_id;
    check_fault(async_call(gw.port(), send_message_xml(m)), "NOT_CHAIN_PARTY", "sendMessageFault1_sendMessageFault");
}

TEST_CASE("async faults: auth, service, access, channel, status visibility", "[integration][async]") {
    gateway gw;
    const auto op = "sendMessageFault1_sendMessageFault";
    async_send m;
    m.who.password = "wrong";
    check_fault(async_call(gw.port(), send_message_xml(m)), "AUTH_FAILED", op);
    m = {};
    m.service = "nope";
    check_fault(async_call(gw.port(), send_message_xml(m)), "UNKNOWN_SERVICE", op);
    m = {};
    m.who = stranger_login;
    check_fault(async_call(gw.port(), send_message_xml(m)), "ACCESS_DENIED", op);
    m = {};
    m.service = "remote"; // a synchronous-only service
    check_fault(async_call(gw.port(), send_message_xml(m)), "WRONG_CHANNEL", op);

    const auto a = accept(gw.port(), {});
    check_fault(async_call(gw.port(), message_status_xml(stranger_login, a.message_id)), "UNKNOWN_MESSAGE",
                "getMessageStatusFault1_getMessageStatusFault");
    check_fault(async_call(gw.port(), message_status_xml(sender_login, "no-such-id")), "UNKNOWN_MESSAGE",
                "getMessageStatusFault1_getMessageStatusFault");
    // Only the recipient confirms.
    check_fault(async_call(gw.port(), delivery_notification_xml(sender_login, "async-only", a.message_id, true)),
                "UNKNOWN_MESSAGE", "sendDeliveryNotificationFault1_sendDeliveryNotificationFault");
    check_fault(async_call(gw.port(), get_messages_xml({"owner", "bad"}, "async-only")), "AUTH_FAILED",
                "getMessagesFault1_getMessagesFault");
    check_fault(async_call(gw.port(), get_messages_xml(owner_login, "nope")), "UNKNOWN_SERVICE",
                "getMessagesFault1_getMessagesFault");
}

TEST_CASE("a malformed async request gets the operation's fault", "[integration][async]") {
    gateway gw;
    auto xml = message_status_xml(sender_login, "x");
    xml.replace(xml.find("<requestDate>"), 13, "<requestDate>yesterday");
    check_fault(async_call(gw.port(), xml), "BAD_ENVELOPE", "getMessageStatusFault1_getMessageStatusFault");
    async_send m;
    m.type = "QUESTION";
    check_fault(async_call(gw.port(), send_message_xml(m)), "BAD_ENVELOPE", "sendMessageFault1_sendMessageFault");
    auto pull_xml = get_messages_xml(owner_login, "async-only");
    pull_xml.replace(pull_xml.find("</serviceId>"), 12, "</serviceId><amount>many</amount>");
    check_fault(async_call(gw.port(), pull_xml), "BAD_ENVELOPE", "getMessagesFault1_getMessagesFault");
}

TEST_CASE("a full queue answers QUEUE_FULL and keeps what it holds", "[integration][async]") {
    node_settings s;
    s.extra_toml = "max_queue_depth = 2";
    gateway gw(s);
    accept(gw.port(), {});
    accept(gw.port(), {});
    check_fault(async_call(gw.port(), send_message_xml({})), "QUEUE_FULL", "sendMessageFault1_sendMessageFault");
    const auto ids = pull(gw.port(), owner_login, "async-only");
    REQUIRE(ids.size() == 2);
    REQUIRE(async_call(gw.port(), delivery_notification_xml(owner_login, "async-only", ids[0], true)).status == 200);
    accept(gw.port(), {}); // room again
}

TEST_CASE("accepted messages and leases survive a restart; delivered ones stay delivered", "[integration][async]") {
    gateway gw;
    const auto delivered = accept(gw.port(), {});
    const auto leased = accept(gw.port(), {});
    const auto waiting = accept(gw.port(), {});
    REQUIRE(pull(gw.port(), owner_login, "async-only", 2).size() == 2);
    REQUIRE(async_call(gw.port(), delivery_notification_xml(owner_login, "async-only", delivered.message_id, true)).status == 200);
    gw.restart();
    CHECK(state_of(gw.port(), sender_login, delivered.message_id) == "DELIVERED");
    CHECK(pull(gw.port(), owner_login, "async-only") == std::vector<std::string>{waiting.message_id}); // leased stays leased
    REQUIRE(async_call(gw.port(), delivery_notification_xml(owner_login, "async-only", leased.message_id, true)).status == 200);
    CHECK(state_of(gw.port(), sender_login, leased.message_id) == "DELIVERED");
}
