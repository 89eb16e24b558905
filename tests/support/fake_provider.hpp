#pragma once
// A SOAP service provider on 127.0.0.1 (port 0) for tests and benchmarks.
// It answers SendMessage according to its mode and records what it got.
//
// Lifecycle: the constructor binds and starts its own thread(s); the
// destructor stops them. Thread safety: the accessors may be called from any
// thread while it runs.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace qaqpa::test {

enum class provider_mode {
    echo,    ///< SendMessageResponse with the request's data, verbatim
    slow,    ///< like echo, after `delay`
    fault,   ///< HTTP 500 with a SOAP fault carrying an ErrorInfo (code PROVIDER-42)
    garbage, ///< HTTP 200 with an HTML page
    close,   ///< reads the request and closes the connection without answering
    huge,    ///< a SendMessageResponse whose payload is 1 MiB
    /// An asynchronous-channel recipient: answers a PUSHed sendMessage with
    /// sendMessageResponse and a changeMassageStatusNotification with its
    /// response (see fail_next for failures), after `delay` when one is given
    /// (a recipient with that latency; the wait holds no thread).
    recipient,
    /// Answers with what answer_with's function gives (any HTTP service a test needs).
    custom,
};

struct received_request {
    std::string target; ///< the request's path and query
    std::string content_type;
    std::string soap_action;
    bool has_soap_action = false;
    std::string body;
};

/// A custom provider's answer to one request.
struct custom_answer {
    int status = 200;
    std::string content_type;
    std::string body;
};

class fake_provider {
public:
    explicit fake_provider(provider_mode mode, std::chrono::milliseconds delay = {}, int threads = 1);
    ~fake_provider();

    std::uint16_t port() const noexcept;
    std::string url() const;

    /// Every request received so far (bounded to the last 1000).
    std::vector<received_request> requests() const;
    std::size_t request_count() const noexcept;
    /// Calls `fn` with every request as it arrives (on a provider thread);
    /// set it before any traffic.
    void on_request(std::function<void(const received_request&)> fn);
    /// How provider_mode::custom answers (on a provider thread); set it before any traffic.
    void answer_with(std::function<custom_answer(const received_request&)> fn);

    /// The next `n` requests are answered with HTTP 500 and a SOAP fault
    /// (whatever the mode).
    void fail_next(int n) noexcept;

    /// TCP connections accepted so far (keep-alive reuse shows as fewer).
    std::size_t connection_count() const noexcept;

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

/// A loopback port with nothing listening on it (connections are refused).
std::uint16_t closed_port();

} // namespace qaqpa::test
