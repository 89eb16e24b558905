// libFuzzer target for the SOAP edge: parse a caller's SendMessage, a
// provider's answer and an asynchronous-channel request from arbitrary bytes. Beyond "no crash, no sanitizer
// report", it checks two properties: whatever parses is rebuilt and parsed
// again to the same header fields and the same payload bytes; and a fault
// quoting the input, whatever its bytes, is valid UTF-8 and reads back as a
// fault.
#include "core/utf8.hpp"
#include "transports/soap/async_codec.hpp"
#include "transports/soap/envelope.hpp"
#include "transports/soap/sync_codec.hpp"

#include <cstdlib>
#include <string>

using namespace qaqpa;

namespace {

void require(bool ok) {
    if (!ok) std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    const std::string body(reinterpret_cast<const char*>(data), size);
    soap::soap_version v;
    if (auto parsed = soap::parse_sync_request(body, v)) {
        const auto first = std::move(parsed->request);
        const auto rebuilt = soap::build_sync_request(first);
        auto again = soap::parse_sync_request(rebuilt, v);
        require(again.has_value());
        require(again->request.info.message_id == first.info.message_id);
        require(again->request.info.service_id == first.info.service_id);
        require(again->request.info.sender.sender_id == first.info.sender.sender_id);
        require(again->request.data.content == first.data.content);
    }
    auto reply = soap::parse_sync_reply(body);
    if (auto* res = std::get_if<sync_response>(&reply)) {
        const auto copy = *res;
        auto again = soap::parse_sync_reply(soap::build_sync_response(soap::soap_version::v11, copy));
        auto* second = std::get_if<sync_response>(&again);
        require(second != nullptr);
        require(second->data.content == copy.data.content);
        require(second->info.message_id == copy.info.message_id);
    }
    soap::async_operation op;
    if (auto parsed = soap::parse_async_request(body, v, op); parsed && op == soap::async_operation::send_message) {
        const auto first = std::get<async_message>(parsed->body);
        auto again = soap::parse_async_request(soap::build_push(first), v, op);
        require(again.has_value());
        const auto& second = std::get<async_message>(again->body);
        require(second.info.service_id == first.info.service_id);
        require(second.info.type == first.info.type);
        require(second.info.sender.sender_id == first.info.sender.sender_id);
        require(second.data.content == first.data.content);
    }
    error_info quoted{"BAD_ENVELOPE", body, body, "2026-12-03T10:00:00+06:00", nullptr, body};
    const auto fault = soap::build_fault(soap::soap_version::v11, soap::sync_fault, quoted, true);
    require(valid_utf8(fault));
    require(std::holds_alternative<gateway_fault>(soap::parse_sync_reply(fault)));
    return 0;
}
