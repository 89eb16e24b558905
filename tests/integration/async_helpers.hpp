#pragma once
// Calls on the asynchronous channel for the integration tests, each answer
// checked against the real SHEP schema.

#include "tests/integration/reply_fields.hpp"
#include "tests/support/async_samples.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/xsd_check.hpp"

#include "tests/support/catch.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace qaqpa::test {

inline void check_valid(const std::string& envelope, std::string_view ns = async_types_ns) {
    if (!shep_reference_dir()) {
        WARN("XSD check skipped: ../shared/reference/shep-wsdl is absent");
        return;
    }
    INFO(envelope);
    CHECK(validate_body(envelope, ns) == "");
}

inline http_reply async_call(std::uint16_t port, const std::string& xml) {
    auto reply = soap_post(port, "/bip-async/", xml);
    INFO(reply.error << reply.body);
    REQUIRE(reply.status != 0);
    check_valid(reply.body);
    return reply;
}

struct sent {
    std::string message_id;
    std::string correlation_id;
};

/// Sends and requires the gateway to accept.
inline sent accept(std::uint16_t port, const async_send& m) {
    const auto reply = async_call(port, send_message_xml(m));
    INFO(reply.body);
    REQUIRE(reply.status == 200);
    REQUIRE(braced_guid(field(reply.body, "sessionId")));
    return {field(reply.body, "messageId"), field(reply.body, "correlationId")};
}

/// Sends `n` REQUESTs to `service`, requiring each accepted; their messageIds.
inline std::vector<std::string> accept_many(std::uint16_t port, const std::string& service, int n) {
    async_send m;
    m.service = service;
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) ids.push_back(accept(port, m).message_id);
    return ids;
}

inline void check_fault(const http_reply& reply, std::string_view code, std::string_view fault_element) {
    INFO(reply.body);
    CHECK(reply.status == 500);
    CHECK(field(reply.body, "errorCode") == code);
    CHECK(reply.body.find(fault_element) != std::string::npos);
}

inline std::vector<std::string> pull(std::uint16_t port, const login& who, const std::string& service, int amount = -1) {
    const auto reply = async_call(port, get_messages_xml(who, service, amount));
    INFO(reply.body);
    REQUIRE(reply.status == 200);
    return message_ids(reply.body);
}

inline std::string state_of(std::uint16_t port, const login& who, const std::string& id) {
    return field(async_call(port, message_status_xml(who, id)).body, "messageState");
}

/// Polls `done` every 10 ms for at most `limit`.
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
}

inline const login sender_login{"sender", "sender-password"};
inline const login owner_login{"owner", "owner-password"};

/// The owner's RESPONSE in the chain `request` opened (to the default service).
inline sent answer_in_chain(std::uint16_t port, const sent& request, std::string payload = {}) {
    async_send answer;
    answer.who = owner_login;
    answer.type = "RESPONSE";
    answer.correlation_id = request.correlation_id;
    if (!payload.empty()) answer.payload = std::move(payload);
    return accept(port, answer);
}
inline const login stranger_login{"stranger", "stranger-password"};

} // namespace qaqpa::test
