#include "core/journal.hpp"

#include <array>
#include <utility>

namespace qaqpa {
namespace {

constexpr std::array<std::pair<journal_event_kind, std::string_view>, 11> kinds{{
    {journal_event_kind::accepted, "accepted"},
    {journal_event_kind::rejected, "rejected"},
    {journal_event_kind::forwarded, "forwarded"},
    {journal_event_kind::attempt, "attempt"},
    {journal_event_kind::delivered, "delivered"},
    {journal_event_kind::not_delivered, "not_delivered"},
    {journal_event_kind::leased, "leased"},
    {journal_event_kind::resend, "resend"},
    {journal_event_kind::stopped, "stopped"},
    {journal_event_kind::resumed, "resumed"},
    {journal_event_kind::redelivered, "redelivered"},
}};

constexpr std::array<std::pair<journal_channel, std::string_view>, 5> channels{{
    {journal_channel::sync, "sync"},
    {journal_channel::async, "async"},
    {journal_channel::push, "push"},
    {journal_channel::pull, "pull"},
    {journal_channel::admin, "admin"},
}};

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& names, E v) noexcept {
    for (const auto& [e, n] : names)
        if (e == v) return n;
    return "unknown";
}

template <class E, std::size_t N>
std::optional<E> value_of(const std::array<std::pair<E, std::string_view>, N>& names, std::string_view s) noexcept {
    for (const auto& [e, n] : names)
        if (n == s) return e;
    return std::nullopt;
}

} // namespace

std::string_view to_string(journal_event_kind k) noexcept { return name_of(kinds, k); }
std::string_view to_string(journal_channel c) noexcept { return name_of(channels, c); }
std::optional<journal_event_kind> parse_journal_event_kind(std::string_view s) noexcept { return value_of(kinds, s); }
std::optional<journal_channel> parse_journal_channel(std::string_view s) noexcept { return value_of(channels, s); }

bool matches(const journal_query& q, const journal_row& r) {
    const auto& e = r.event;
    return r.recorded_ms >= q.from_ms && r.recorded_ms < q.to_ms &&
           (q.message_id.empty() || e.message_id == q.message_id) &&
           (q.correlation_id.empty() || e.correlation_id == q.correlation_id) &&
           (q.sender.empty() || e.sender == q.sender) && (q.service_id.empty() || e.service_id == q.service_id) &&
           (q.point.empty() || e.point == q.point) && (q.state.empty() || e.state == q.state) &&
           (q.event.empty() || to_string(e.kind) == q.event);
}

} // namespace qaqpa
