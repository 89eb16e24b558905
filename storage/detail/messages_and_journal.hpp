#pragma once
// What a store implementation's committer serves (private to storage/): the
// messages, the logging journal and the incident journal, written through
// one committer, so a journal row joins the commit of the state change it
// records.

#include "storage/incident_store.hpp"
#include "storage/journal_store.hpp"
#include "storage/message_store.hpp"
#include "storage/store.hpp"

#include <memory>

namespace qaqpa::storage::detail {

class messages_and_journal : public message_store, public journal_store, public incident_store {};

/// A store whose messages, journal and incidents are one committer's.
class store_with_committer : public store {
public:
    message_store& messages() override { return *messages_; }
    journal_store& journal() override { return *messages_; }
    incident_store& incidents() override { return *messages_; }

protected:
    std::unique_ptr<messages_and_journal> messages_;
};

} // namespace qaqpa::storage::detail
