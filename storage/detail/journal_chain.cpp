#include "storage/detail/journal_chain.hpp"

#include "storage/detail/journal_record.hpp"
#include "storage/detail/record_codec.hpp"
#include "storage/detail/rocksdb_status.hpp"
#include "core/ids.hpp"
#include "core/journal_format.hpp"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>

namespace qaqpa::storage::detail {
namespace {

constexpr const char* anchor_key = "journal_pruned";
void put_be64(std::string& out, std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
}

std::uint64_t get_be64(std::string_view s) {
    std::uint64_t v = 0;
    for (const char c : s.substr(0, 8)) v = (v << 8) | static_cast<unsigned char>(c);
    return v;
}

} // namespace

bool indexed(std::string_view id) { return ordered_guid_ms(id).has_value(); }

bool chain_indexed(const journal_event& e) {
    return e.kind == journal_event_kind::accepted && indexed(e.correlation_id);
}

std::string journal_row_key(std::uint64_t number) {
    std::string k;
    put_be64(k, number);
    return k;
}

std::uint64_t journal_row_number(std::string_view key) { return get_be64(key); }

std::string journal_index_prefix(std::string_view id) { return queue_prefix(id); }

std::string journal_index_key(std::string_view id, std::uint64_t number) { return queue_key(id, number); }

std::uint64_t journal_index_number(std::string_view key) {
    std::string_view id;
    std::uint64_t number = 0;
    return split_queue_key(key, id, number) ? number : 0;
}

result<void> journal_chain::recover(rocksdb::DB& db) {
    journal_head h;
    h.last_hash = journal_genesis_hash();
    std::string anchor;
    if (const auto st = db.Get({}, f_.meta, anchor_key, &anchor); st.ok() && anchor.size() == 8 + 64) {
        h.pruned_through = h.last = get_be64(anchor);
        h.pruned_hash = h.last_hash = anchor.substr(8);
    } else if (!st.ok() && !st.IsNotFound()) {
        return storage_failure(st, "reading the journal's pruned anchor");
    }
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator({}, f_.rows));
    it->SeekToLast();
    if (it->Valid()) {
        auto row = decode_stored_row(std::string_view(it->value().data(), it->value().size()));
        if (!row) return fail(errc::internal, "the journal's last row is damaged: " + row.error().detail);
        h.last = row->number;
        h.last_hash = row->hash;
        last_ms_ = row->recorded_ms;
    } else if (!it->status().ok()) {
        return storage_failure(it->status(), "reading the journal");
    }
    std::lock_guard lk(mutex_);
    head_ = std::move(h);
    return {};
}

journal_chain::tip journal_chain::begin() const {
    std::lock_guard lk(mutex_);
    return tip{{head_.last, head_.last_hash, crypto::digest_from_hex(head_.last_hash), last_ms_}, 0, {}};
}

std::uint64_t journal_chain::append(rocksdb::WriteBatch& b, tip& t, const journal_event& e, std::int64_t now_ms,
                                   bool index_message, bool index_chain) const {
    auto row = t.next(t.canonical, e, now_ms);
    const auto number = row.number;
    b.Put(f_.rows, journal_row_key(number), row.record);
    if (index_message && indexed(e.message_id))
        b.Put(f_.index, journal_index_key(e.message_id, number), rocksdb::Slice());
    if (index_chain && chain_indexed(e))
        b.Put(f_.chains, journal_index_key(e.correlation_id, number), rocksdb::Slice());
    ++t.rows;
    return number;
}

void journal_chain::written(const tip& t) {
    if (t.rows == 0) return;
    std::lock_guard lk(mutex_);
    head_.last = t.last;
    head_.last_hash = t.last_hash;
    last_ms_ = t.last_ms;
}

void journal_chain::prune(rocksdb::WriteBatch& b, const std::vector<pruned_row>& rows) const {
    if (rows.empty()) return;
    for (const auto& r : rows) {
        b.Delete(f_.rows, journal_row_key(r.number));
        if (indexed(r.message_id))
            b.Delete(f_.index, journal_index_key(r.message_id, r.number));
        if (indexed(r.correlation_id))
            b.Delete(f_.chains, journal_index_key(r.correlation_id, r.number));
    }
    std::string anchor;
    put_be64(anchor, rows.back().number);
    anchor += rows.back().hash;
    b.Put(f_.meta, anchor_key, anchor);
}

void journal_chain::pruned(const pruned_row& last) {
    std::lock_guard lk(mutex_);
    head_.pruned_through = last.number;
    head_.pruned_hash = last.hash;
}

journal_head journal_chain::head() const {
    std::lock_guard lk(mutex_);
    return head_;
}

} // namespace qaqpa::storage::detail
