// Load tool for the asynchronous channel benchmarks (bench/async_bench.sh).
//   async_driver recipient COUNT TIMEOUT_S [LATENCY_MS]
//       a PUSH recipient on 127.0.0.1 (answering each PUSH after LATENCY_MS,
//       default 0); prints its port, waits for COUNT
//       messages (or the timeout), prints accept-to-delivery p50/p99 (of
//       the messages `send` stamped) and the rate from first to last arrival
//   async_driver failing fault|hang
//       a recipient that answers every PUSH with HTTP 500 and a SOAP fault,
//       or never answers; prints its port, then the requests it got so far
//       every 200 ms, until killed
//   async_driver send PORT SENDER PASSWORD SERVICE RATE SECONDS BYTES
//       sendMessage at a fixed RATE per second (open loop), each payload
//       stamped with its scheduled send time
//   async_driver fill PORT SENDER PASSWORD SERVICE COUNT CONNECTIONS BYTES
//       sendMessage as fast as CONNECTIONS closed-loop senders go, until
//       COUNT are accepted; prints msg/s
//   async_driver fan PORT SENDER PASSWORD PREFIX FIRST LAST PER_SERVICE CONNECTIONS BYTES
//       like fill, PER_SERVICE messages to each of the services
//       PREFIX<FIRST> .. PREFIX<LAST>, in turn
//   async_driver drain PORT LOGIN PASSWORD SERVICE THREADS
//       getMessages(amount=100) + one sendDeliveryNotification per message,
//       THREADS pullers, until the queue is empty; prints msg/s
#include "bench/coro_client.hpp"
#include "bench/percentiles.hpp"
#include "tests/support/async_samples.hpp"
#include "tests/support/fake_provider.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace qaqpa;
using clock_type = std::chrono::steady_clock;

namespace {

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now().time_since_epoch()).count();
}

int recipient(long count, int timeout_s, int latency_ms) {
    test::fake_provider r(test::provider_mode::recipient, std::chrono::milliseconds(latency_ms), 2);
    std::mutex mutex;
    std::vector<double> latencies_ms;
    latencies_ms.reserve(static_cast<std::size_t>(count));
    long received = 0;
    std::int64_t first_ns = 0, last_ns = 0;
    r.on_request([&](const test::received_request& req) {
        const auto now = now_ns();
        std::lock_guard lk(mutex);
        if (received++ == 0) first_ns = now;
        last_ns = now;
        if (const auto a = req.body.find("<t>"); a != std::string::npos)
            latencies_ms.push_back(static_cast<double>(now - std::atoll(req.body.c_str() + a + 3)) / 1e6);
    });
    std::printf("async_driver: listening 127.0.0.1:%u\n", r.port());
    std::fflush(stdout);
    const auto until = clock_type::now() + std::chrono::seconds(timeout_s);
    for (;;) {
        {
            std::lock_guard lk(mutex);
            if (received >= count) break;
        }
        if (clock_type::now() > until) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::lock_guard lk(mutex);
    const double p50 = bench::quantile(latencies_ms, 0.50), p99 = bench::quantile(latencies_ms, 0.99);
    const double span_s = static_cast<double>(last_ns - first_ns) / 1e9;
    std::printf("received %ld p50_ms %.2f p99_ms %.2f max_ms %.2f first_to_last_s %.2f msg_per_s %.0f\n", received,
                p50, p99, latencies_ms.empty() ? 0.0 : latencies_ms.back(), span_s,
                span_s > 0 ? static_cast<double>(received) / span_s : 0.0);
    return received >= count ? 0 : 1;
}

int failing(const std::string& how) {
    const auto mode = how == "hang" ? test::provider_mode::slow : test::provider_mode::fault;
    test::fake_provider r(mode, std::chrono::hours(1), 2);
    std::printf("async_driver: listening 127.0.0.1:%u\n", r.port());
    std::fflush(stdout);
    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        std::printf("requests %zu\n", r.request_count());
        std::fflush(stdout);
    }
}

/// Runs `conns` client coroutines on one thread until each returns.
template <class Body>
double run_clients(std::uint16_t port, int conns, Body body) {
    boost::asio::io_context ctx;
    const auto t0 = clock_type::now();
    for (int c = 0; c < conns; ++c)
        boost::asio::co_spawn(ctx, [&ctx, port, &body]() -> boost::asio::awaitable<void> {
            bench::coro_client client(ctx.get_executor(), port);
            co_await body(client);
        }, boost::asio::detached);
    ctx.run();
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

int send(std::uint16_t port, const test::async_send& m, int rate, int seconds, std::size_t bytes) {
    // Four paced senders, each with its own connection, share the rate.
    constexpr int senders = 4;
    const auto interval = std::chrono::nanoseconds(1'000'000'000LL * senders / rate);
    const long per_sender = static_cast<long>(rate) * seconds / senders;
    long accepted = 0, failed = 0;
    int next_sender = 0;
    const auto start = clock_type::now() + std::chrono::milliseconds(50);
    run_clients(port, senders, [&](bench::coro_client& client) -> boost::asio::awaitable<void> {
        const int s = next_sender++;
        boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
        for (long i = 0; i < per_sender; ++i) {
            const auto due = start + interval * i + interval * s / senders;
            timer.expires_at(due);
            co_await timer.async_wait(boost::asio::use_awaitable);
            auto msg = m;
            msg.payload = "<t>" + std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                     due.time_since_epoch()).count()) + "</t>";
            const auto reply = co_await client.post("/bip-async/", test::send_message_of_size(msg, bytes));
            (reply && reply->status == 200 ? accepted : failed)++;
        }
    });
    std::printf("sent %ld accepted %ld failed %ld\n", accepted + failed, accepted, failed);
    return failed == 0 ? 0 : 1;
}

/// Posts `count` sendMessages, the bodies in turn, from `connections`
/// closed-loop senders; prints msg/s.
int post_all(std::uint16_t port, const std::vector<std::string>& bodies, long count, int connections) {
    long next = 0, failed = 0;
    const double secs = run_clients(port, connections, [&](bench::coro_client& client) -> boost::asio::awaitable<void> {
        for (long i; (i = next++) < count;) {
            const auto reply = co_await client.post("/bip-async/", bodies[static_cast<std::size_t>(i) % bodies.size()]);
            if (!reply || reply->status != 200) ++failed;
        }
    });
    std::printf("filled %ld failed %ld seconds %.2f msg_per_s %.0f\n", count - failed, failed, secs,
                static_cast<double>(count) / secs);
    return failed == 0 ? 0 : 1;
}

int fill(std::uint16_t port, const test::async_send& m, long count, int connections, std::size_t bytes) {
    return post_all(port, {test::send_message_of_size(m, bytes)}, count, connections);
}

int fan(std::uint16_t port, test::async_send m, const std::string& prefix, int first, int last, long per_service,
        int connections, std::size_t bytes) {
    std::vector<std::string> bodies;
    for (int i = first; i <= last; ++i) {
        m.service = prefix + std::to_string(i);
        bodies.push_back(test::send_message_of_size(m, bytes));
    }
    return post_all(port, bodies, per_service * static_cast<long>(bodies.size()), connections);
}

int drain(std::uint16_t port, const test::login& who, const std::string& service, int pullers) {
    long confirmed = 0, failed = 0;
    // The notification is the same but for its messageId: split it once
    // around a marker, so each one costs a copy, not a rebuild.
    const std::string marker = "\x01id\x01";
    const auto notification = test::delivery_notification_xml(who, service, marker, true);
    const auto cut = notification.find(marker);
    const std::string before = notification.substr(0, cut), after = notification.substr(cut + marker.size());
    const double secs = run_clients(port, pullers, [&](bench::coro_client& client) -> boost::asio::awaitable<void> {
        std::string body;
        for (int empty = 0; empty < 2;) {
            const auto batch = co_await client.post("/bip-async/", test::get_messages_xml(who, service, 100));
            if (!batch || batch->status != 200) {
                ++failed;
                co_return;
            }
            const auto ids = test::message_ids(batch->body);
            empty = ids.empty() ? empty + 1 : 0;
            for (const auto& id : ids) {
                body.assign(before).append(id).append(after);
                const auto ack = co_await client.post("/bip-async/", body);
                (ack && ack->status == 200 ? confirmed : failed)++;
            }
        }
    });
    std::printf("drained %ld failed %ld seconds %.2f msg_per_s %.0f\n", confirmed, failed, secs,
                static_cast<double>(confirmed) / secs);
    return failed == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "recipient" && (argc == 4 || argc == 5))
        return recipient(std::atol(argv[2]), std::atoi(argv[3]), argc == 5 ? std::atoi(argv[4]) : 0);
    if (mode == "send" && argc == 9) {
        test::async_send m;
        m.who = {argv[3], argv[4]};
        m.service = argv[5];
        return send(static_cast<std::uint16_t>(std::atoi(argv[2])), m, std::atoi(argv[6]), std::atoi(argv[7]),
                    std::strtoul(argv[8], nullptr, 10));
    }
    if (mode == "fill" && argc == 9) {
        test::async_send m;
        m.who = {argv[3], argv[4]};
        m.service = argv[5];
        return fill(static_cast<std::uint16_t>(std::atoi(argv[2])), m, std::atol(argv[6]), std::atoi(argv[7]),
                    std::strtoul(argv[8], nullptr, 10));
    }
    if (mode == "failing" && argc == 3) return failing(argv[2]);
    if (mode == "fan" && argc == 11) {
        test::async_send m;
        m.who = {argv[3], argv[4]};
        return fan(static_cast<std::uint16_t>(std::atoi(argv[2])), m, argv[5], std::atoi(argv[6]), std::atoi(argv[7]),
                   std::atol(argv[8]), std::atoi(argv[9]), std::strtoul(argv[10], nullptr, 10));
    }
    if (mode == "drain" && argc == 7)
        return drain(static_cast<std::uint16_t>(std::atoi(argv[2])), {argv[3], argv[4]}, argv[5], std::atoi(argv[6]));
    std::fprintf(stderr, "usage: see the head of bench/async_driver.cpp\n");
    return 2;
}
