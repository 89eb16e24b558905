#include "routing/outbound.hpp"

#include "core/clock.hpp"
#include "core/ids.hpp"

namespace qaqpa::routing {

result<void> outbound_table::add(point_kind kind, outbound_client& client) {
    auto& slot = clients_[static_cast<std::size_t>(kind)];
    if (slot) return fail(errc::internal, std::string("a second outbound client for kind ") + to_string(kind));
    slot = &client;
    return {};
}

outbound_client* outbound_table::find(point_kind kind) const noexcept {
    return clients_[static_cast<std::size_t>(kind)];
}

std::string no_client_for(point_kind kind) {
    return std::string("no outbound client serves delivery points of kind ") + to_string(kind);
}

task<provider_result> builtin_client::relay(const outbound_target&, const sync_request& req,
                                            std::chrono::milliseconds) {
    sync_response res;
    res.info.message_id = new_guid();
    res.info.correlation_id = req.info.correlation_id.value_or(req.info.message_id);
    res.info.response_date = now_datetime();
    res.info.status_code = "OK";
    res.info.status_message = "echo";
    res.data = req.data;
    co_return res;
}

task<push_result> builtin_client::push(const outbound_target&, const outbound_message&, std::string_view,
                                       std::chrono::milliseconds) {
    co_return push_result{true, {}};
}

} // namespace qaqpa::routing
