#pragma once
// The operator's hand on messages (message_control): lookups from the
// store's tracking, redelivery through the store, then a wake-up of the
// queue's PUSH worker (a PULL queue offers it at the next getMessages).
//
// Thread safety: every method may be called from any event loop.

#include "core/journal.hpp"
#include "routing/delivery_engine.hpp"
#include "routing/message_control.hpp"
#include "storage/message_store.hpp"

namespace qaqpa::routing {

class message_admin final : public message_control {
public:
    message_admin(storage::message_store& store, delivery_engine& engine, journal_sink& journal)
        : store_(store), engine_(engine), journal_(journal) {}

    task<result<std::optional<message_record>>> message(std::string id) override;
    task<result<message_record>> redeliver(std::string id) override;
    task<result<redeliver_report>> redeliver_all(redeliver_filter f) override;

private:
    storage::message_store& store_;
    delivery_engine& engine_;
    journal_sink& journal_;
};

} // namespace qaqpa::routing
