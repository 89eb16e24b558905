#include "routing/message_admin.hpp"

#include "core/ids.hpp"
#include "routing/destinations.hpp"
#include "routing/message_states.hpp"

namespace qaqpa::routing {
namespace {

message_record record_of(std::string id, const storage::tracking& t) {
    return {std::move(id), t.destination, t.sender, t.recipient, t.service_id, t.status, t.attempts, t.next_attempt_ms};
}

bool matches(const redeliver_filter& f, const std::string& id, const storage::tracking& t) {
    if (!f.service_id.empty() && t.service_id != f.service_id) return false;
    if (!f.sender.empty() && t.sender != f.sender) return false;
    if (!f.point.empty() && t.destination != point_queue(f.point)) return false;
    if (f.from_ms > 0 || f.to_ms > 0) {
        const auto made = ordered_guid_ms(id);
        if (!made || *made < f.from_ms || (f.to_ms > 0 && *made >= f.to_ms)) return false;
    }
    return true;
}

} // namespace

task<result<std::optional<message_record>>> message_admin::message(std::string id) {
    auto t = co_await store_.track(id);
    if (!t) co_return t.error();
    if (!*t) co_return std::optional<message_record>{};
    co_return std::optional<message_record>(record_of(std::move(id), **t));
}

task<result<message_record>> message_admin::redeliver(std::string id) {
    const auto now = now_ms();
    std::vector<journal_event> rows;
    auto before = co_await store_.track(id);
    if (!before) co_return before.error();
    if (!*before) co_return fail(errc::unknown_message, "no message " + id);
    if (journal_.enabled()) {
        auto e = tracked_event(journal_event_kind::redelivered, journal_channel::admin, id, **before,
                               message_state::on_delivery, now);
        e.transport.clear();
        e.detail = "put back on its queue by the administrator";
        rows.push_back(std::move(e));
    }
    auto status = make_status(message_state::on_delivery, status_code::redelivered,
                              "put back on its queue by the administrator", now);
    auto seq = co_await store_.redeliver(id, status, std::move(rows));
    if (!seq) co_return seq.error();
    engine_.wake((*before)->destination);
    auto after = **before;
    after.seq = *seq;
    after.status = std::move(status);
    after.attempts = 0;
    after.next_attempt_ms = 0;
    co_return record_of(std::move(id), after);
}

task<result<redeliver_report>> message_admin::redeliver_all(redeliver_filter f) {
    constexpr std::size_t page = 1000;
    redeliver_report report;
    std::string after;
    while (report.matched < f.limit) {
        auto batch = co_await store_.undelivered(after, page);
        if (!batch) co_return batch.error();
        for (auto& [id, t] : *batch) {
            if (report.matched >= f.limit || !matches(f, id, t)) continue;
            ++report.matched;
            if (report.ids.size() < 100) report.ids.push_back(id);
            if (f.dry_run) continue;
            auto done = co_await redeliver(id);
            if (done) ++report.redelivered;
            else if (done.error().code != errc::conflict) co_return done.error(); // taken meanwhile: skipped
        }
        if (batch->size() < page) break;
        after = batch->back().first;
    }
    co_return report;
}

} // namespace qaqpa::routing
