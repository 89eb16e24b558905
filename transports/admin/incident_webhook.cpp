#include "transports/admin/incident_webhook.hpp"

#include "transports/http/client.hpp"

#include <fmt/format.h>

namespace qaqpa::admin {

task<result<void>> incident_webhook::notify(const incident& i) {
    http::post_options opts;
    opts.content_type = "application/json";
    opts.max_response_bytes = 64 * 1024;
    auto reply = co_await http::post(to_, incident_json(i), opts, std::chrono::steady_clock::now() + timeout_);
    if (auto* failed = std::get_if<http::client_failure>(&reply)) {
        if (failed->kind == http::client_error::timeout)
            co_return fail(errc::provider_timeout, fmt::format("no answer within {} ms", timeout_.count()));
        co_return fail(errc::provider_unreachable, failed->detail.empty() ? "connection failed" : failed->detail);
    }
    const auto status = std::get<http::response>(reply).result_int();
    if (status < 200 || status > 299) co_return fail(errc::provider_bad_response, fmt::format("HTTP {}", status));
    co_return result<void>{};
}

} // namespace qaqpa::admin
