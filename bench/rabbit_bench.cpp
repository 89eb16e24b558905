// The RabbitMQ baseline for bench/async_bench.sh (rabbitmq-c, Debian's
// librabbitmq). A durable classic queue, persistent messages, publisher
// confirms with at most 256 in flight, consumer prefetch 256 with one ack per
// message.
//   rabbit_bench publish PORT QUEUE COUNT BYTES   confirmed publish rate, confirm p50/p99
//   rabbit_bench consume PORT QUEUE COUNT         consume+ack rate
//   rabbit_bench e2e PORT QUEUE RATE SECONDS BYTES  publish-to-consume p50/p99 at a fixed rate
#include "bench/percentiles.hpp"

#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
constexpr int max_in_flight = 256;

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now().time_since_epoch()).count();
}

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "rabbit_bench: %s\n", what);
    std::exit(1);
}

void check(amqp_rpc_reply_t r, const char* what) {
    if (r.reply_type != AMQP_RESPONSE_NORMAL) die(what);
}

/// One connection with channel 1 open and the durable queue declared.
amqp_connection_state_t connect(int port, const std::string& queue) {
    auto conn = amqp_new_connection();
    auto* socket = amqp_tcp_socket_new(conn);
    if (!socket || amqp_socket_open(socket, "127.0.0.1", port) != AMQP_STATUS_OK) die("cannot connect");
    check(amqp_login(conn, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest"), "login");
    amqp_channel_open(conn, 1);
    check(amqp_get_rpc_reply(conn), "channel.open");
    amqp_queue_declare(conn, 1, amqp_cstring_bytes(queue.c_str()), 0, /*durable*/ 1, 0, 0, amqp_empty_table);
    check(amqp_get_rpc_reply(conn), "queue.declare");
    return conn;
}

void close(amqp_connection_state_t conn) {
    amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
}

/// Publishes with confirms; `stamp` fills the body before each publish.
class confirmed_publisher {
public:
    confirmed_publisher(int port, const std::string& queue) : conn_(connect(port, queue)), queue_(queue) {
        amqp_confirm_select(conn_, 1);
        check(amqp_get_rpc_reply(conn_), "confirm.select");
        props_._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
        props_.delivery_mode = 2; // persistent
        props_.content_type = amqp_cstring_bytes("text/xml");
    }
    ~confirmed_publisher() { close(conn_); }

    void publish(const std::string& body) {
        while (in_flight() >= max_in_flight) await_confirm(true);
        sent_at_.push_back(now_ns());
        if (amqp_basic_publish(conn_, 1, amqp_empty_bytes, amqp_cstring_bytes(queue_.c_str()), 0, 0, &props_,
                               amqp_bytes_t{body.size(), const_cast<char*>(body.data())}) != AMQP_STATUS_OK)
            die("publish");
        ++published_;
        while (await_confirm(false)) {
        }
    }
    void finish() {
        while (in_flight() > 0) await_confirm(true);
    }
    std::vector<double>& confirm_ms() { return confirm_ms_; }

private:
    long in_flight() const { return published_ - confirmed_; }

    /// Reads one frame; true when it was a confirmation.
    bool await_confirm(bool block) {
        amqp_frame_t frame;
        timeval zero{0, 0};
        const int rc = block ? amqp_simple_wait_frame(conn_, &frame) : amqp_simple_wait_frame_noblock(conn_, &frame, &zero);
        if (rc == AMQP_STATUS_TIMEOUT) return false;
        if (rc != AMQP_STATUS_OK) die("waiting for confirms");
        if (frame.frame_type != AMQP_FRAME_METHOD || frame.payload.method.id != AMQP_BASIC_ACK_METHOD) return true;
        const auto* ack = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
        // RabbitMQ confirms in order on one channel: everything up to the
        // tag is confirmed now.
        const long upto = static_cast<long>(ack->delivery_tag);
        const auto now = now_ns();
        for (long tag = confirmed_ + 1; tag <= upto; ++tag) {
            confirm_ms_.push_back(static_cast<double>(now - sent_at_.front()) / 1e6);
            sent_at_.pop_front();
        }
        confirmed_ = upto;
        return true;
    }

    amqp_connection_state_t conn_;
    std::string queue_;
    amqp_basic_properties_t props_{};
    long published_ = 0, confirmed_ = 0;
    std::deque<std::int64_t> sent_at_;
    std::vector<double> confirm_ms_;
};

int publish(int port, const std::string& queue, long count, std::size_t bytes) {
    confirmed_publisher p(port, queue);
    const std::string body(bytes, 'x');
    const auto t0 = clock_type::now();
    for (long i = 0; i < count; ++i) p.publish(body);
    p.finish();
    const double secs = std::chrono::duration<double>(clock_type::now() - t0).count();
    auto& ms = p.confirm_ms();
    std::printf("published %ld seconds %.2f msg_per_s %.0f confirm_p50_ms %.2f confirm_p99_ms %.2f\n", count, secs,
                static_cast<double>(count) / secs, qaqpa::bench::quantile(ms, 0.5), qaqpa::bench::quantile(ms, 0.99));
    return 0;
}

/// Consumes `count` messages with prefetch 256 and one ack each; `seen`
/// gets every body.
template <class Seen>
void consume_n(int port, const std::string& queue, long count, Seen seen) {
    auto conn = connect(port, queue);
    amqp_basic_qos(conn, 1, 0, max_in_flight, 0);
    check(amqp_get_rpc_reply(conn), "basic.qos");
    amqp_basic_consume(conn, 1, amqp_cstring_bytes(queue.c_str()), amqp_empty_bytes, 0, /*no_ack*/ 0, 0,
                       amqp_empty_table);
    check(amqp_get_rpc_reply(conn), "basic.consume");
    for (long i = 0; i < count; ++i) {
        amqp_envelope_t env;
        amqp_maybe_release_buffers(conn);
        check(amqp_consume_message(conn, &env, nullptr, 0), "consume");
        seen(env.message.body);
        amqp_basic_ack(conn, 1, env.delivery_tag, 0);
        amqp_destroy_envelope(&env);
    }
    close(conn);
}

int consume(int port, const std::string& queue, long count) {
    const auto t0 = clock_type::now();
    consume_n(port, queue, count, [](const amqp_bytes_t&) {});
    const double secs = std::chrono::duration<double>(clock_type::now() - t0).count();
    std::printf("consumed %ld seconds %.2f msg_per_s %.0f\n", count, secs, static_cast<double>(count) / secs);
    return 0;
}

int e2e(int port, const std::string& queue, int rate, int seconds, std::size_t bytes) {
    const long count = static_cast<long>(rate) * seconds;
    std::vector<double> latency_ms;
    latency_ms.reserve(static_cast<std::size_t>(count));
    std::thread consumer([&] {
        consume_n(port, queue, count, [&](const amqp_bytes_t& b) {
            std::int64_t sent = 0;
            std::memcpy(&sent, b.bytes, sizeof sent);
            latency_ms.push_back(static_cast<double>(now_ns() - sent) / 1e6);
        });
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200)); // the consumer is subscribed
    confirmed_publisher p(port, queue);
    std::string body(bytes, 'x');
    const auto interval = std::chrono::nanoseconds(1'000'000'000LL / rate);
    const auto start = clock_type::now();
    for (long i = 0; i < count; ++i) {
        const auto due = start + interval * i;
        std::this_thread::sleep_until(due);
        const std::int64_t stamp = std::chrono::duration_cast<std::chrono::nanoseconds>(due.time_since_epoch()).count();
        std::memcpy(body.data(), &stamp, sizeof stamp);
        p.publish(body);
    }
    p.finish();
    consumer.join();
    std::printf("e2e %ld at %d/s p50_ms %.2f p99_ms %.2f\n", count, rate, qaqpa::bench::quantile(latency_ms, 0.5),
                qaqpa::bench::quantile(latency_ms, 0.99));
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "publish" && argc == 6)
        return publish(std::atoi(argv[2]), argv[3], std::atol(argv[4]), std::strtoul(argv[5], nullptr, 10));
    if (mode == "consume" && argc == 5) return consume(std::atoi(argv[2]), argv[3], std::atol(argv[4]));
    if (mode == "e2e" && argc == 7)
        return e2e(std::atoi(argv[2]), argv[3], std::atoi(argv[4]), std::atoi(argv[5]), std::strtoul(argv[6], nullptr, 10));
    std::fprintf(stderr, "usage: see the head of bench/rabbit_bench.cpp\n");
    return 2;
}
