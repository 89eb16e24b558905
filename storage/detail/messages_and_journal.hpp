#pragma once
// What a store implementation's committer serves (private to storage/): the
// messages, the logging journal and the incident journal, written through
// one committer, so a journal row joins the commit of the state change it
// records.

#include "storage/incident_store.hpp"
#include "storage/journal_store.hpp"
#include "storage/message_store.hpp"

namespace qaqpa::storage::detail {

class messages_and_journal : public message_store, public journal_store, public incident_store {};

} // namespace qaqpa::storage::detail
