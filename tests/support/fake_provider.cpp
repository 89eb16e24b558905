#include "tests/support/fake_provider.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <deque>
#include <thread>

namespace qaqpa::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr std::string_view response_head =
    R"(<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">)"
    R"(<soap:Body><p:SendMessageResponse xmlns:p="http://bip.bee.kz/SyncChannel/v10/Types"><response><responseInfo>)"
    R"(<messageId>provider-msg-1</messageId><correlationId>provider-chain-1</correlationId>)"
    R"(<responseDate>2026-01-01T06:00:00+06:00</responseDate><status><code>PROVIDED</code>)"
    R"(<message>done</message></status></responseInfo><responseData>)";
constexpr std::string_view response_tail = "</responseData></response></p:SendMessageResponse></soap:Body></soap:Envelope>";

constexpr std::string_view fault_body =
    R"(<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">)"
    R"(<s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>provider says no</faultstring><detail>)"
    R"(<t:SendMessageFault1_SendMessageFault xmlns:t="http://bip.bee.kz/SyncChannel/v10/Types">)"
    R"(<errorCode>PROVIDER-42</errorCode><errorMessage>the provider refused</errorMessage>)"
    R"(<errorDate>2026-01-01T00:00:00Z</errorDate></t:SendMessageFault1_SendMessageFault></detail>)"
    R"(</s:Fault></s:Body></s:Envelope>)";

constexpr std::string_view accepted_body =
    R"(<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">)"
    R"(<s:Body><a:sendMessageResponse xmlns:a="http://bip.bee.kz/AsyncChannel/v10/Types"><response>)"
    R"(<messageId>recipient-1</messageId><correlationId>recipient-chain-1</correlationId>)"
    R"(<responseDate>2026-01-01T00:00:00Z</responseDate></response></a:sendMessageResponse></s:Body></s:Envelope>)";

constexpr std::string_view notified_body =
    R"(<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">)"
    R"(<s:Body><c:changeMassageStatusNotificationResponse xmlns:c="http://bip.bee.kz/AsyncChannel/v10/Types/Client">)"
    R"(<response><responseDate>2026-01-01T00:00:00Z</responseDate>)"
    R"(<sessionId>{00000000-0000-4000-8000-000000000000}</sessionId></response>)"
    R"(</c:changeMassageStatusNotificationResponse></s:Body></s:Envelope>)";

/// The <requestData> content of a request, as the gateway wrote it.
std::string_view request_data(std::string_view body) {
    constexpr std::string_view open = "<requestData>", close = "</requestData>";
    const auto a = body.find(open);
    const auto b = body.rfind(close);
    if (a == std::string_view::npos || b == std::string_view::npos || b < a) return {};
    return body.substr(a + open.size(), b - a - open.size());
}

} // namespace

struct fake_provider::impl {
    impl(provider_mode m, std::chrono::milliseconds d, int threads)
        : mode(m), delay(d), acceptor(ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        asio::co_spawn(ctx, accept(), asio::detached);
        for (int i = 0; i < threads; ++i) workers.emplace_back([this] { ctx.run(); });
    }
    ~impl() {
        ctx.stop();
        for (auto& t : workers) t.join();
    }

    asio::awaitable<void> accept() {
        for (;;) {
            boost::system::error_code ec;
            auto socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
            if (ec) co_return;
            ++connections;
            asio::co_spawn(ctx, session(std::move(socket)), asio::detached);
        }
    }

    void record(const http::request<http::string_body>& req) {
        if (observer) {
            received_request seen;
            seen.body = req.body();
            observer(seen);
        }
        std::lock_guard lock(mutex);
        received_request r;
        r.target = std::string(req.target());
        r.content_type = std::string(req[http::field::content_type]);
        r.has_soap_action = req.find("SOAPAction") != req.end();
        r.soap_action = std::string(req["SOAPAction"]);
        r.body = req.body();
        log.push_back(std::move(r));
        if (log.size() > 1000) log.pop_front();
        ++count;
    }

    asio::awaitable<void> session(tcp::socket socket) {
        beast::tcp_stream stream(std::move(socket));
        beast::flat_buffer buffer;
        boost::system::error_code ec;
        auto use = asio::redirect_error(asio::use_awaitable, ec);
        for (;;) {
            http::request<http::string_body> req;
            co_await http::async_read(stream, buffer, req, use);
            if (ec) co_return;
            record(req);
            if (mode == provider_mode::close) {
                stream.close();
                co_return;
            }
            if (mode == provider_mode::slow || (mode == provider_mode::recipient && delay.count() > 0)) {
                asio::steady_timer t(stream.get_executor(), delay);
                co_await t.async_wait(use);
            }
            http::response<http::string_body> res{http::status::ok, req.version()};
            res.set(http::field::content_type, "text/xml; charset=utf-8");
            if (mode == provider_mode::custom) {
                received_request seen;
                seen.target = std::string(req.target());
                seen.content_type = std::string(req[http::field::content_type]);
                seen.body = req.body();
                auto a = answer(seen);
                res.result(static_cast<http::status>(a.status));
                res.set(http::field::content_type, a.content_type);
                res.body() = std::move(a.body);
            } else if (take_failure() || mode == provider_mode::fault) {
                res.result(http::status::internal_server_error);
                res.body() = fault_body;
            } else if (mode == provider_mode::garbage) {
                res.set(http::field::content_type, "text/html");
                res.body() = "<html><body>502 Bad Gateway</body></html>";
            } else if (mode == provider_mode::recipient) {
                const bool status = req.body().find("changeMassageStatusNotification") != std::string::npos;
                res.body() = status ? notified_body : accepted_body;
            } else if (mode == provider_mode::huge) {
                res.body().append(response_head).append("<data>").append(std::string(1 << 20, 'x'));
                res.body().append("</data>").append(response_tail);
            } else {
                const auto data = request_data(req.body());
                res.body().reserve(response_head.size() + data.size() + response_tail.size());
                res.body().append(response_head).append(data).append(response_tail);
            }
            res.keep_alive(req.keep_alive());
            res.prepare_payload();
            co_await http::async_write(stream, res, use);
            if (ec || !req.keep_alive()) co_return;
        }
    }

    bool take_failure() {
        int n = failures.load();
        while (n > 0)
            if (failures.compare_exchange_weak(n, n - 1)) return true;
        return false;
    }

    provider_mode mode;
    std::chrono::milliseconds delay;
    std::atomic<int> failures{0};
    std::function<void(const received_request&)> observer;
    std::function<custom_answer(const received_request&)> answer;
    asio::io_context ctx;
    tcp::acceptor acceptor;
    std::vector<std::thread> workers;
    mutable std::mutex mutex;
    std::deque<received_request> log;
    std::atomic<std::size_t> count{0};
    std::atomic<std::size_t> connections{0};
};

fake_provider::fake_provider(provider_mode mode, std::chrono::milliseconds delay, int threads)
    : impl_(std::make_unique<impl>(mode, delay, threads)) {}

fake_provider::~fake_provider() = default;

std::uint16_t fake_provider::port() const noexcept { return impl_->acceptor.local_endpoint().port(); }

std::string fake_provider::url() const { return "http://127.0.0.1:" + std::to_string(port()) + "/provider"; }

std::vector<received_request> fake_provider::requests() const {
    std::lock_guard lock(impl_->mutex);
    return {impl_->log.begin(), impl_->log.end()};
}

std::size_t fake_provider::request_count() const noexcept { return impl_->count; }
void fake_provider::fail_next(int n) noexcept { impl_->failures = n; }
void fake_provider::on_request(std::function<void(const received_request&)> fn) { impl_->observer = std::move(fn); }
void fake_provider::answer_with(std::function<custom_answer(const received_request&)> fn) { impl_->answer = std::move(fn); }
std::size_t fake_provider::connection_count() const noexcept { return impl_->connections; }

std::uint16_t closed_port() {
    asio::io_context ctx;
    tcp::acceptor a(ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return a.local_endpoint().port(); // closed when `a` goes out of scope
}

} // namespace qaqpa::test
