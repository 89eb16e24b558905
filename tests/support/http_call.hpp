#pragma once
// A blocking HTTP/1.1 call to a loopback server for tests, bounded in time.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace qaqpa::test {

struct http_reply {
    int status = 0;        ///< 0 when the exchange failed (see error)
    std::string error;
    std::map<std::string, std::string> headers; ///< lower-case names
    std::string body;

    /// A header's value by lower-case name, "" when absent.
    std::string header(const std::string& name) const {
        const auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

http_reply http_request(std::uint16_t port, std::string method, std::string target, std::string body = {},
                        std::map<std::string, std::string> headers = {{"Content-Type", "text/xml; charset=utf-8"}},
                        std::chrono::milliseconds timeout = std::chrono::seconds(10));

inline http_reply soap_post(std::uint16_t port, std::string path, std::string body,
                            std::string content_type = "text/xml; charset=utf-8") {
    return http_request(port, "POST", std::move(path), std::move(body), {{"Content-Type", content_type}});
}

/// Writes raw bytes and reads whatever comes back until the peer closes or
/// `timeout` passes; for malformed-request tests.
std::string raw_exchange(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout);

} // namespace qaqpa::test
