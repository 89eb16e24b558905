#include "storage/detail/journal_reader.hpp"

#include "storage/detail/journal_record.hpp"
#include "storage/detail/record_codec.hpp"
#include "storage/detail/rocksdb_status.hpp"
#include "core/journal_format.hpp"

#include <rocksdb/db.h>

#include <algorithm>

namespace qaqpa::storage::detail {
namespace {

result<std::optional<std::int64_t>> recorded_at(rocksdb::DB& db, const journal_families& f, std::uint64_t number) {
    rocksdb::PinnableSlice line;
    const auto st = db.Get({}, f.rows, journal_row_key(number), &line);
    if (st.IsNotFound()) return std::optional<std::int64_t>{};
    if (!st.ok()) return storage_failure(st, "reading the journal");
    return recorded_ms_of(std::string_view(line.data(), line.size()));
}

/// The first row recorded at or after `ms` (rows are recorded in time order).
result<std::uint64_t> first_row_at(rocksdb::DB& db, const journal_families& f, const journal_head& head,
                                   std::int64_t ms) {
    std::uint64_t lo = head.pruned_through + 1, hi = head.last + 1;
    while (lo < hi) {
        const auto mid = lo + (hi - lo) / 2;
        auto at = recorded_at(db, f, mid);
        if (!at) return at.error();
        if (!*at || **at < ms) lo = mid + 1; // earlier, or pruned meanwhile (so old)
        else hi = mid;
    }
    return lo;
}

/// The acceptance row a stored record keeps for `id` (a message's tracking,
/// a chain's record); 0 when there is none.
template <class Record, class Decode>
result<std::uint64_t> kept_row(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf, std::string_view id, Decode decode) {
    rocksdb::PinnableSlice value;
    const auto st = db.Get({}, cf, rocksdb::Slice(id.data(), id.size()), &value);
    if (st.IsNotFound()) return std::uint64_t{0};
    if (!st.ok()) return storage_failure(st, "reading the journal's row of a record");
    result<Record> record = decode(std::string_view(value.data(), value.size()));
    if (!record) return record.error();
    return record->journal_row;
}

/// The row numbers an index holds for `id`, after `after`, in order, with
/// the acceptance row its record keeps instead (message_store.hpp).
result<std::vector<std::uint64_t>> indexed_rows(rocksdb::DB& db, const journal_families& f, journal_index_kind kind,
                                                std::string_view id, std::uint64_t after) {
    std::vector<std::uint64_t> out;
    auto kept = kind == journal_index_kind::message ? kept_row<tracking>(db, f.tracking, id, decode_tracking)
                                                    : kept_row<chain>(db, f.message_chains, id, decode_chain);
    if (!kept) return kept.error();
    if (*kept > after) out.push_back(*kept); // the first of its rows
    const auto prefix = journal_index_prefix(id);
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator({}, f.index_of(kind)));
    for (it->Seek(journal_index_key(id, after + 1)); it->Valid() && it->key().starts_with(prefix); it->Next())
        out.push_back(journal_index_number(std::string_view(it->key().data(), it->key().size())));
    if (!it->status().ok()) return storage_failure(it->status(), "reading the journal's index");
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

/// A chain's rows: its messages (their acceptances are indexed under the
/// correlation id), then each one's trail, merged in row order.
result<std::vector<std::uint64_t>> chain_rows(rocksdb::DB& db, const journal_families& f,
                                              std::string_view correlation_id, std::uint64_t after) {
    auto accepted = indexed_rows(db, f, journal_index_kind::chain, correlation_id, 0);
    if (!accepted) return accepted.error();
    std::vector<std::uint64_t> out;
    for (const auto number : *accepted) {
        rocksdb::PinnableSlice value;
        const auto st = db.Get({}, f.rows, journal_row_key(number), &value);
        if (st.IsNotFound()) continue; // pruned meanwhile
        if (!st.ok()) return storage_failure(st, "reading the journal");
        auto row = decode_stored_row(std::string_view(value.data(), value.size()));
        if (!row) return row.error();
        auto trail = indexed_rows(db, f, journal_index_kind::message, row->event.message_id, after);
        if (!trail) return trail.error();
        out.insert(out.end(), trail->begin(), trail->end());
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

} // namespace

result<journal_page> query_journal(rocksdb::DB& db, const journal_families& f, const journal_head& head,
                                   const journal_query& q) {
    journal_page page;
    std::size_t examined = 0;
    auto take = [&](std::string_view line, std::uint64_t number, const journal_query& filter) -> result<bool> {
        ++examined; // false: the page is full
        auto row = decode_stored_row(line);
        if (!row) return fail(errc::internal, "journal row " + std::to_string(number) + " is damaged: " + row.error().detail);
        if (matches(filter, *row)) page.rows.push_back(std::move(*row));
        if (page.rows.size() >= q.limit || examined >= q.examine_budget) {
            page.next = number;
            return false;
        }
        return true;
    };

    if (indexed(q.message_id) || (q.message_id.empty() && indexed(q.correlation_id))) { // from the index
        auto numbers = q.message_id.empty() ? chain_rows(db, f, q.correlation_id, q.after)
                                            : indexed_rows(db, f, journal_index_kind::message, q.message_id, q.after);
        if (!numbers) return numbers.error();
        auto chain = q;
        chain.correlation_id.clear(); // a chain's messages' rows, whatever each carries
        for (const auto number : *numbers) {
            rocksdb::PinnableSlice line;
            const auto st = db.Get({}, f.rows, journal_row_key(number), &line);
            if (st.IsNotFound()) continue; // pruned meanwhile
            if (!st.ok()) return storage_failure(st, "reading the journal");
            auto more = take(std::string_view(line.data(), line.size()), number, chain);
            if (!more) return more.error();
            if (!*more) return page;
        }
        return page;
    }

    auto start = std::max(q.after + 1, head.pruned_through + 1);
    if (q.from_ms > 0) {
        auto at = first_row_at(db, f, head, q.from_ms);
        if (!at) return at.error();
        start = std::max(start, *at);
    }
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator({}, f.rows));
    for (it->Seek(journal_row_key(start)); it->Valid(); it->Next()) {
        const std::string_view line(it->value().data(), it->value().size());
        const auto recorded = recorded_ms_of(line);
        if (recorded && *recorded >= q.to_ms) break; // in time order: nothing later matches
        auto more = take(line, journal_row_number(std::string_view(it->key().data(), it->key().size())), q);
        if (!more) return more.error();
        if (!*more) return page;
    }
    if (!it->status().ok()) return storage_failure(it->status(), "reading the journal");
    return page;
}

result<std::vector<journal_chain::pruned_row>> rows_to_prune(rocksdb::DB& db, const journal_families& f,
                                                             std::int64_t before_ms, std::size_t max) {
    std::vector<journal_chain::pruned_row> out;
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator({}, f.rows));
    for (it->SeekToFirst(); it->Valid() && out.size() < max; it->Next()) {
        const std::string_view line(it->value().data(), it->value().size());
        const auto recorded = recorded_ms_of(line);
        if (recorded && *recorded >= before_ms) break;
        auto row = decode_stored_row(line);
        if (!row) return fail(errc::internal, "a journal row is damaged: " + row.error().detail);
        const bool chained = chain_indexed(row->event);
        out.push_back({row->number, std::move(row->event.message_id),
                       chained ? std::move(row->event.correlation_id) : std::string(), std::move(row->hash)});
    }
    if (!it->status().ok()) return storage_failure(it->status(), "reading the journal");
    return out;
}

} // namespace qaqpa::storage::detail
