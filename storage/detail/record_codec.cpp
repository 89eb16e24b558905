#include "storage/detail/record_codec.hpp"

#include "storage/detail/leb128.hpp"

namespace qaqpa::storage::detail {
namespace {

constexpr std::uint8_t format_version = 1;

/// The store's records, at this version (leb128.hpp).
struct writer : leb128_writer {
    explicit writer(std::size_t reserve) : leb128_writer(format_version, reserve) {}
};
struct reader : leb128_reader {
    explicit reader(std::string_view in) : leb128_reader(in, format_version) {}
};

failure damaged(std::string_view what) { return fail(errc::internal, "damaged " + std::string(what) + " record"); }

void put_status(writer& w, const message_status& s) {
    w.u(static_cast<std::uint64_t>(s.state));
    w.s(s.code);
    w.s(s.message);
    w.s(s.date);
}

message_status get_status(reader& r) {
    message_status s;
    s.state = static_cast<message_state>(r.u() & 3);
    s.code = r.s();
    s.message = r.s();
    s.date = r.s();
    return s;
}

} // namespace

std::string encode(const queued_message& m) {
    const auto& info = m.message.info;
    writer w(256 + m.message.data.content.size() + m.message.data.attributes.size());
    w.u(static_cast<std::uint64_t>(m.kind));
    w.s(m.id);
    w.i(m.accepted_ms);
    if (m.kind == record_kind::status_notification) {
        w.s(m.notification.notification_id);
        w.s(m.notification.message_id);
        put_status(w, m.notification.status);
        return w.take();
    }
    w.opt(info.message_id);
    w.opt(info.correlation_id);
    w.s(info.service_id);
    w.u(static_cast<std::uint64_t>(info.type));
    w.opt(info.route_id);
    w.s(info.message_date);
    w.s(info.sender.sender_id);
    w.u(info.properties.size());
    for (const auto& p : info.properties) {
        w.s(p.key);
        w.s(p.value);
    }
    w.opt(info.session_id);
    // 0 absent, 1 XML (what version 1 wrote before JSON payloads), 2 JSON.
    w.u(!m.message.data.present ? 0 : m.message.data.format == payload_format::json ? 2 : 1);
    w.s(m.message.data.attributes);
    w.s(m.message.data.content);
    return w.take();
}

result<queued_message> decode_message(std::string_view bytes) {
    reader r(bytes);
    queued_message m;
    m.kind = static_cast<record_kind>(r.u());
    m.id = r.s();
    m.accepted_ms = r.i();
    if (m.kind == record_kind::status_notification) {
        m.notification.notification_id = r.s();
        m.notification.message_id = r.s();
        m.notification.status = get_status(r);
        if (!r.ok()) return damaged("message");
        return m;
    }
    if (m.kind != record_kind::message) return damaged("message");
    auto& info = m.message.info;
    info.message_id = r.opt();
    info.correlation_id = r.opt();
    info.service_id = r.s();
    info.type = static_cast<message_type>(r.u() & 3);
    info.route_id = r.opt();
    info.message_date = r.s();
    info.sender.sender_id = r.s();
    const auto n = r.u();
    if (n > bytes.size()) return damaged("message");
    info.properties.reserve(n);
    for (std::uint64_t k = 0; k < n; ++k) {
        auto key = r.s();
        info.properties.push_back({std::move(key), r.s()});
    }
    info.session_id = r.opt();
    const auto presence = r.u();
    m.message.data.present = presence != 0;
    if (presence == 2) m.message.data.format = payload_format::json;
    m.message.data.attributes = r.s();
    m.message.data.content = r.s();
    if (!r.ok()) return damaged("message");
    return m;
}

std::string encode(const tracking& t) {
    writer w(128);
    w.s(t.destination);
    w.u(t.seq);
    w.s(t.sender);
    w.s(t.recipient);
    w.s(t.service_id);
    put_status(w, t.status);
    w.i(t.attempts);
    w.i(t.next_attempt_ms);
    w.u(t.journal_row);
    w.s(t.forwarded_to);
    w.i(t.peer_status_ms);
    return w.take();
}

result<tracking> decode_tracking(std::string_view bytes) {
    reader r(bytes);
    tracking t;
    t.destination = r.s();
    t.seq = r.u();
    t.sender = r.s();
    t.recipient = r.s();
    t.service_id = r.s();
    t.status = get_status(r);
    t.attempts = static_cast<int>(r.i());
    t.next_attempt_ms = r.i();
    if (r.more()) t.journal_row = r.u();
    if (r.more()) { // written since messages cross to peer gateways
        t.forwarded_to = r.s();
        t.peer_status_ms = r.i();
    }
    if (!r.ok()) return damaged("tracking");
    return t;
}

std::string encode(const chain& c) {
    writer w(128);
    w.s(c.correlation_id);
    w.s(c.service_id);
    w.s(c.opener);
    w.s(c.owner);
    w.s(c.point);
    w.u(c.journal_row);
    return w.take();
}

result<chain> decode_chain(std::string_view bytes) {
    reader r(bytes);
    chain c;
    c.correlation_id = r.s();
    c.service_id = r.s();
    c.opener = r.s();
    c.owner = r.s();
    c.point = r.s();
    if (r.more()) c.journal_row = r.u();
    if (!r.ok()) return damaged("chain");
    return c;
}

std::string queue_prefix(std::string_view destination) {
    std::string k;
    k.reserve(2 + destination.size() + 8);
    k.push_back(static_cast<char>((destination.size() >> 8) & 0xff));
    k.push_back(static_cast<char>(destination.size() & 0xff));
    k.append(destination.substr(0, 0xffff));
    return k;
}

std::string queue_key(std::string_view destination, std::uint64_t seq) {
    auto k = queue_prefix(destination);
    for (int i = 7; i >= 0; --i) k.push_back(static_cast<char>((seq >> (8 * i)) & 0xff));
    return k;
}

bool split_queue_key(std::string_view key, std::string_view& destination, std::uint64_t& seq) {
    if (key.size() < 10) return false;
    const std::size_t n = (std::size_t(std::uint8_t(key[0])) << 8) | std::uint8_t(key[1]);
    if (key.size() != 2 + n + 8) return false;
    destination = key.substr(2, n);
    seq = 0;
    for (std::size_t i = 2 + n; i < key.size(); ++i) seq = (seq << 8) | std::uint8_t(key[i]);
    return true;
}

std::string encode(const lease& l) {
    writer w(32 + l.destination.size());
    w.i(l.until_ms);
    w.s(l.destination);
    w.u(l.seq);
    return w.take();
}

result<lease> decode_lease(std::string_view id, std::string_view bytes) {
    reader r(bytes);
    lease l;
    l.id = std::string(id);
    l.until_ms = r.i();
    l.destination = r.s();
    l.seq = r.u();
    if (!r.ok()) return damaged("lease");
    return l;
}

std::string lease_batch_key(std::uint64_t number) {
    std::string k(9, '#');
    for (int i = 0; i < 8; ++i) k[1 + static_cast<std::size_t>(i)] = static_cast<char>(number >> (56 - 8 * i));
    return k;
}

std::optional<std::uint64_t> split_lease_batch_key(std::string_view key) {
    if (key.size() != 9 || key[0] != '#') return std::nullopt;
    std::uint64_t n = 0;
    for (std::size_t i = 1; i < key.size(); ++i) n = (n << 8) | std::uint8_t(key[i]);
    return n;
}

std::string encode(const std::vector<lease>& batch) {
    writer w(16 + batch.size() * 72);
    w.u(batch.size());
    for (const auto& l : batch) {
        w.s(l.id);
        w.i(l.until_ms);
        w.s(l.destination);
        w.u(l.seq);
    }
    return w.take();
}

result<std::vector<lease>> decode_lease_batch(std::string_view bytes) {
    reader r(bytes);
    const auto n = r.u();
    std::vector<lease> out;
    // Each entry takes at least four bytes: a damaged count cannot make us
    // reserve more than the record could hold.
    if (n > bytes.size() / 4) return damaged("lease batch");
    out.reserve(static_cast<std::size_t>(n));
    for (std::uint64_t i = 0; i < n; ++i) {
        lease l;
        l.id = r.s();
        l.until_ms = r.i();
        l.destination = r.s();
        l.seq = r.u();
        out.push_back(std::move(l));
    }
    if (!r.ok()) return damaged("lease batch");
    return out;
}

std::string encode_i64(std::int64_t v) {
    writer w(12);
    w.i(v);
    return w.take();
}

std::optional<std::int64_t> decode_i64(std::string_view bytes) {
    reader r(bytes);
    const auto v = r.i();
    if (!r.ok()) return std::nullopt;
    return v;
}

} // namespace qaqpa::storage::detail
