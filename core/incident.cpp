#include "core/incident.hpp"

#include "core/clock.hpp"
#include "core/utf8.hpp"

#include <boost/json.hpp>

namespace qaqpa {
namespace {

namespace json = boost::json;

constexpr const char* cause_names[] = {"point_off", "undelivered", "store_failure"};

json::value instant(std::int64_t ms) { return ms > 0 ? json::value(format_unix_ms(ms)) : json::value(nullptr); }

/// The fields of the stored form, read back; a field of the wrong type fails.
class reader {
public:
    explicit reader(const json::object& o) : o_(o) {}

    std::string text(std::string_view key) {
        const auto* v = o_.if_contains(key);
        if (!v) return {};
        if (!v->is_string()) bad_ = true;
        return v->is_string() ? std::string(v->as_string()) : std::string();
    }

    std::int64_t number(std::string_view key) {
        const auto* v = o_.if_contains(key);
        if (!v || v->is_null()) return 0;
        if (v->is_int64()) return v->as_int64();
        if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<std::int64_t>(v->as_uint64());
        bad_ = true;
        return 0;
    }

    std::int64_t time(std::string_view key) {
        const auto* v = o_.if_contains(key);
        if (!v || v->is_null()) return 0;
        const auto ms = v->is_string() ? parse_instant_ms(v->as_string()) : std::nullopt;
        if (!ms) bad_ = true;
        return ms.value_or(0);
    }

    bool bad() const noexcept { return bad_; }

private:
    const json::object& o_;
    bool bad_ = false;
};

} // namespace

const char* to_string(incident_cause c) noexcept { return cause_names[static_cast<int>(c)]; }

const char* to_string(incident_state s) noexcept { return s == incident_state::open ? "open" : "closed"; }

std::optional<incident_state> parse_incident_state(std::string_view s) noexcept {
    if (s == "open") return incident_state::open;
    if (s == "closed") return incident_state::closed;
    return std::nullopt;
}

std::string incident_json(const incident& i) {
    json::object o{{"id", to_valid_utf8(i.id)},
                   {"state", to_string(i.state)},
                   {"cause", to_string(i.cause)},
                   {"reason", to_valid_utf8(i.reason)},
                   {"deliveryPoint", to_valid_utf8(i.point)},
                   {"queue", to_valid_utf8(i.queue)},
                   {"messageId", to_valid_utf8(i.message_id)},
                   {"messages", i.messages},
                   {"date", instant(i.opened_ms)},
                   {"receivedAt", instant(i.received_ms)},
                   {"notifiedAt", instant(i.notified_ms)},
                   {"respondedAt", instant(i.responded_ms)},
                   {"sentAt", instant(i.sent_ms)},
                   {"closedAt", instant(i.closed_ms)},
                   {"measures", to_valid_utf8(i.measures)},
                   {"responsible", to_valid_utf8(i.responsible)},
                   {"notifyAttempts", i.notify_attempts},
                   {"nextNotifyAt", instant(i.next_notify_ms)},
                   {"notifyError", to_valid_utf8(i.notify_error)},
                   {"revision", i.revision}};
    return json::serialize(o);
}

result<incident> parse_incident_json(std::string_view text) {
    boost::system::error_code ec;
    const auto v = json::parse(text, ec);
    if (ec || !v.is_object()) return fail(errc::internal, "a stored incident is not a JSON object");
    reader r(v.as_object());
    incident i;
    i.id = r.text("id");
    const auto state = parse_incident_state(r.text("state"));
    const auto cause = r.text("cause");
    bool known_cause = false;
    for (int c = 0; c < 3; ++c)
        if (cause == cause_names[c]) {
            i.cause = static_cast<incident_cause>(c);
            known_cause = true;
        }
    i.reason = r.text("reason");
    i.point = r.text("deliveryPoint");
    i.queue = r.text("queue");
    i.message_id = r.text("messageId");
    i.messages = r.number("messages");
    i.opened_ms = r.time("date");
    i.received_ms = r.time("receivedAt");
    i.notified_ms = r.time("notifiedAt");
    i.responded_ms = r.time("respondedAt");
    i.sent_ms = r.time("sentAt");
    i.closed_ms = r.time("closedAt");
    i.measures = r.text("measures");
    i.responsible = r.text("responsible");
    i.notify_attempts = static_cast<int>(r.number("notifyAttempts"));
    i.next_notify_ms = r.time("nextNotifyAt");
    i.notify_error = r.text("notifyError");
    i.revision = static_cast<std::uint64_t>(r.number("revision"));
    if (r.bad() || !state || !known_cause || i.id.empty())
        return fail(errc::internal, "a stored incident has a damaged field");
    i.state = *state;
    return i;
}

} // namespace qaqpa
