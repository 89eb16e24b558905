// libFuzzer target for the REST channel's JSON reader (any bytes a client
// sends): every input is a request or an invalid_request naming why, never a
// crash; a synchronous request that parses, written out as the gateway sends
// it to a REST provider, parses back with the same payload text (the value
// is carried as the text that came, wherever it lies in the document); and
// the one-pass envelope reader places the payload and names repeated keys
// exactly as the plain source scan does.
#include "core/json_text.hpp"
#include "transports/rest/codec.hpp"
#include "transports/rest/detail/json_envelope.hpp"
#include "transports/rest/detail/json_source.hpp"

#include <boost/json/monotonic_resource.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

void require_named(const qaqpa::failure& f) {
    if (f.code != qaqpa::errc::invalid_request || f.detail.empty()) std::abort();
}

/// The envelope reader against the source scan, on any text that is JSON.
void compare_with_scan(std::string_view body) {
    using qaqpa::rest::detail::read_envelope;
    if (!qaqpa::is_json_value(body)) return;
    constexpr std::array<std::string_view, 3> path{"request", "requestData", "data"};
    boost::json::monotonic_resource resource;
    const auto read = read_envelope(body, path, {&resource});
    if (!read) return; // deeper than the bound; the codec names it
    const auto scan = qaqpa::rest::detail::scan_source(body, path);
    if (read->payload != scan.value_at_path || (read->payload && read->payload->data() != scan.value_at_path->data()) ||
        read->repeated_key != scan.repeated_key) {
        std::fprintf(stderr, "the envelope reader and the scan disagree on: %.*s\n", static_cast<int>(body.size()), body.data());
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    using namespace qaqpa;
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    const std::optional<sender_info> basic = sender_info{"s", std::string("p")};
    compare_with_scan(body);
    if (auto m = rest::parse_send_message(body, basic); !m) require_named(m.error());
    if (auto p = rest::parse_get_messages(body, 1000, std::nullopt); !p) require_named(p.error());
    if (auto d = rest::parse_delivery_notification(body, basic); !d) require_named(d.error());
    if (auto q = rest::parse_status_query(body, std::nullopt); !q) require_named(q.error());
    auto req = rest::parse_sync_request(body, basic);
    if (!req) {
        require_named(req.error());
        return 0;
    }
    const auto written = rest::build_sync_request(*req);
    auto again = rest::parse_sync_request(written, std::nullopt);
    if (!again || again->data.content != req->data.content || again->data.format != req->data.format ||
        again->data.attributes != req->data.attributes) {
        std::fprintf(stderr, "the payload did not survive: %s\n", written.c_str());
        std::abort();
    }
    return 0;
}
