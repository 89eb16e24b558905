#include "core/ids.hpp"
#include "core/async.hpp"
#include "routing/provider.hpp"

namespace qaqpa::routing {

task<provider_result> echo_provider::send(const delivery_point&, const sync_request& req,
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

} // namespace qaqpa::routing
