#pragma once
// The incident journal (rules of 2016, §19 and appendix 7): what stopped or
// delayed delivery, when the administrator was told, what people did about
// it, and when delivery went on. The gateway opens incidents by itself (a
// delivery point switched off, a message not delivered in time, the store
// unable to write); people fill in who responded and what was done, and
// close them (routing/incident_desk.hpp; the admin API).
//
// One JSON form serves the admin API, the webhook and the store, so what an
// operator reads is what was written.

#include "core/errors.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace qaqpa {

enum class incident_cause {
    point_off,     ///< a delivery point was switched off (error shutdown or the administrator)
    undelivered,   ///< a queued message was not delivered within [incidents] undelivered_after_s
    store_failure, ///< the store could not write (a full disk, a failed fsync)
};

enum class incident_state { open, closed };

const char* to_string(incident_cause c) noexcept;
const char* to_string(incident_state s) noexcept;
std::optional<incident_state> parse_incident_state(std::string_view s) noexcept;

/// One incident: appendix 7's columns (date, time received, time notified,
/// time responded, reason, measures, send time, responsible person) and what
/// it concerns. Times are Unix ms, 0 while unknown.
struct incident {
    std::string id; ///< time-ordered (core/ids.hpp), so the journal lists in opening order
    incident_cause cause = incident_cause::point_off;
    incident_state state = incident_state::open;
    std::string reason;     ///< what happened, written by the gateway
    std::string point;      ///< the delivery point concerned ("" for the store)
    std::string queue;      ///< the queue whose messages wait (dp/…, is/…, pull/…)
    std::string message_id; ///< the oldest message waiting, when there is one
    std::int64_t messages = 0; ///< messages waiting in the queue when it opened
    std::int64_t opened_ms = 0;    ///< appendix 7 "date"
    std::int64_t received_ms = 0;  ///< when the gateway received message_id
    std::int64_t notified_ms = 0;  ///< when the webhook delivered the notification
    std::int64_t responded_ms = 0; ///< when a responsible person responded
    std::int64_t sent_ms = 0;      ///< when delivery went on (point on, message delivered, writes resumed)
    std::int64_t closed_ms = 0;
    std::string measures;    ///< filled in by people
    std::string responsible; ///< filled in by people
    int notify_attempts = 0;        ///< failed webhook deliveries so far
    std::int64_t next_notify_ms = 0; ///< the next webhook attempt, not before
    std::string notify_error;        ///< why the last attempt failed
    std::uint64_t revision = 0;      ///< grows with every change; the store keeps the newest
};

/// What an operator changes (PATCH): each set field is written.
struct incident_update {
    std::optional<std::string> responsible;
    std::optional<std::string> measures;
    std::optional<std::int64_t> responded_ms; ///< default: now, on the first update that names a person or measures
    bool close = false;
};

/// A page of the incident journal.
struct incident_query {
    std::optional<incident_state> state; ///< nullopt: both
    std::string after;                   ///< the last id of the page before (exclusive)
    std::size_t limit = 100;
};

/// The JSON object of an incident (times as xsd:dateTime, null while unknown).
std::string incident_json(const incident& i);
/// Reads what incident_json wrote; internal on anything else (a stored record).
result<incident> parse_incident_json(std::string_view text);

} // namespace qaqpa
