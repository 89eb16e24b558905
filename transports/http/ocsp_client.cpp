#include "transports/http/ocsp_client.hpp"

#include "core/url.hpp"
#include "transports/http/client.hpp"

#include <fmt/format.h>

namespace qaqpa::http {

task<result<std::string>> ocsp_client::ask(const std::string& url, std::string request,
                                           std::chrono::milliseconds timeout) {
    const auto to = parse_url(url);
    if (!to) co_return fail(errc::bad_config, "\"" + url + "\" is not a usable http:// URL");
    post_options opts;
    opts.content_type = "application/ocsp-request";
    opts.max_response_bytes = 1024 * 1024; // an answer about one certificate is a few KB
    auto reply = co_await post(*to, std::move(request), opts, std::chrono::steady_clock::now() + timeout);
    if (auto* failed = std::get_if<client_failure>(&reply)) {
        if (failed->kind == client_error::timeout)
            co_return fail(errc::provider_timeout, fmt::format("no answer within {} ms", timeout.count()));
        co_return fail(errc::provider_unreachable, failed->detail.empty() ? "connection failed" : failed->detail);
    }
    auto& res = std::get<response>(reply);
    if (res.result_int() != 200) co_return fail(errc::provider_bad_response, fmt::format("HTTP {}", res.result_int()));
    co_return std::move(res.body());
}

} // namespace qaqpa::http
