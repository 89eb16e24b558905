// libFuzzer target for the SOAP edge: parse a caller's SendMessage and a
// provider's answer from arbitrary bytes. Beyond "no crash, no sanitizer
// report", it checks a property: whatever parses is rebuilt and parsed again
// to the same header fields and the same payload bytes.
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
    return 0;
}
