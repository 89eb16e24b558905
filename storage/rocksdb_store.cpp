// The embedded default store on RocksDB. Column families per concern; every
// state change is one WriteBatch; writes that acknowledge something are
// synced.
#include "storage/store.hpp"

#include "core/log.hpp"
#include "storage/detail/crc32c.hpp"
#include "storage/detail/rocksdb_logger.hpp"
#include "storage/detail/rocksdb_messages.hpp"
#include "storage/detail/rocksdb_status.hpp"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/table_properties_collectors.h>
#include <rocksdb/write_batch.h>

#include <filesystem>

namespace qaqpa::storage {
namespace {

constexpr const char* registry_cf = "registry";
constexpr const char* live_key = "live";
constexpr const char* source_key = "bootstrap_source";

using detail::storage_failure;

class rocksdb_store final : public detail::store_with_committer {
public:
    rocksdb_store(std::unique_ptr<rocksdb::DB> db, std::vector<rocksdb::ColumnFamilyHandle*> handles,
                  const options& opts)
        : db_(std::move(db)), handles_(std::move(handles)) {
        write_.sync = opts.sync_writes;
        for (auto* h : handles_)
            if (h->GetName() == registry_cf) registry_ = h;
    }

    result<void> open_messages(bool sync, metrics_registry* metrics) {
        detail::message_families f;
        rocksdb::ColumnFamilyHandle** slots[] = {&f.queues,  &f.chains,        &f.tracking,    &f.leases,
                                                  &f.journal, &f.journal_index, &f.undelivered, &f.journal_chains,
                                                  &f.incidents};
        for (auto* h : handles_) {
            if (h->GetName() == rocksdb::kDefaultColumnFamilyName) f.meta = h;
            for (std::size_t i = 0; i < std::size(slots); ++i)
                if (h->GetName() == detail::message_family_names[i]) *slots[i] = h;
        }
        auto m = detail::open_messages(*db_, f, sync, metrics);
        if (!m) return m.error();
        messages_ = std::move(*m);
        return {};
    }

    ~rocksdb_store() override {
        messages_.reset();
        for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
        db_->Close();
    }

    result<std::optional<registry>> load_registry() override {
        std::string value;
        const auto st = db_->Get(rocksdb::ReadOptions(), registry_, live_key, &value);
        if (st.IsNotFound()) return std::optional<registry>{};
        if (!st.ok()) return storage_failure(st, "reading the registry");
        auto reg = deserialize_registry(value);
        if (!reg) return reg.error();
        return std::optional<registry>(std::move(*reg));
    }

    result<std::optional<std::string>> bootstrap_source() override {
        std::string value;
        const auto st = db_->Get(rocksdb::ReadOptions(), registry_, source_key, &value);
        if (st.IsNotFound()) return std::optional<std::string>{};
        if (!st.ok()) return storage_failure(st, "reading the bootstrap source");
        return std::optional<std::string>(std::move(value));
    }

    result<void> save_registry(const registry& live, const std::string& source) override {
        rocksdb::WriteBatch batch;
        batch.Put(registry_, live_key, serialize(live));
        batch.Put(registry_, source_key, source);
        const auto st = db_->Write(write_, &batch);
        if (!st.ok()) return storage_failure(st, "writing the registry");
        return {};
    }

private:
    std::unique_ptr<rocksdb::DB> db_;
    std::vector<rocksdb::ColumnFamilyHandle*> handles_;
    rocksdb::ColumnFamilyHandle* registry_ = nullptr;
    rocksdb::WriteOptions write_;
};

/// Queue keys are be16(length) + destination + be64(seq): the prefix is
/// everything but the sequence.
class queue_prefix final : public rocksdb::SliceTransform {
public:
    const char* Name() const override { return "qaqpa.queue_prefix"; }
    rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
        return rocksdb::Slice(key.data(), std::min(key.size(), prefix_size(key)));
    }
    bool InDomain(const rocksdb::Slice& key) const override { return key.size() >= 2; }

private:
    static std::size_t prefix_size(const rocksdb::Slice& key) {
        return 2 + ((std::size_t(std::uint8_t(key[0])) << 8) | std::uint8_t(key[1]));
    }
};

/// Family options. Memory is bounded for the whole database (a queue of a
/// million messages must not grow the process): memtables share one budget
/// and blocks one cache. The queue family is a FIFO: its head is deleted as
/// fast as its tail grows, so files dense with deletions are compacted early.
rocksdb::ColumnFamilyOptions family_options(const std::string& name, const std::shared_ptr<rocksdb::Cache>& cache) {
    rocksdb::ColumnFamilyOptions o;
    o.write_buffer_size = 16 << 20;
    o.max_write_buffer_number = 3;
    rocksdb::BlockBasedTableOptions t;
    t.block_cache = cache;
    // The journal's families are read by scans and rare lookups (the admin
    // API): a bloom filter would cost every flush and help no read.
    if (!name.starts_with("journal")) t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    // Block checksums: XXH3 is several times cheaper than CRC-32C and as
    // good at catching corruption; each file records its own kind, so files
    // written before keep being read as they were.
    t.checksum = rocksdb::kXXH3;
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
    // Keys arrive in order within a prefix (time-ordered ids, queue
    // sequences), so memtable inserts start from the last position instead
    // of searching the whole skip list.
    if (name == "queues") {
        o.table_properties_collector_factories.push_back(rocksdb::NewCompactOnDeletionCollectorFactory(1024, 512));
        o.memtable_insert_with_hint_prefix_extractor = std::make_shared<queue_prefix>();
    } else if (name == "leases") {
        // Written twice per pulled message (leased, then settled) and read
        // only at start-up, by one scan: a vector memtable appends each
        // write and sorts once at flush or scan, where a skip list pays a
        // search per write (~half the drain's memtable CPU).
        o.memtable_factory = std::make_shared<rocksdb::VectorRepFactory>();
    } else if (name == "journal") {
        // Row numbers only grow, and share their top four bytes for the
        // first four billion rows: every insert starts from the last one.
        o.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(4));
    } else if (name != "registry" && name != rocksdb::kDefaultColumnFamilyName) {
        o.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(8));
    }
    o.compression = rocksdb::kNoCompression;
    if (name == "tracking") {
        // Point lookups by id, most of them for messages whose keys have
        // left the memtables: a whole-key bloom filter per memtable lets a
        // lookup skip each one that cannot hold the key.
        o.memtable_prefix_bloom_size_ratio = 0.05;
        o.memtable_whole_key_filtering = true;
    }
    if (name == "queues") {
        // Message bodies go to blob files, written once at flush: compactions
        // move only keys. A queue is consumed in order, so a blob file's
        // bodies are all delivered at about the same time and the file is
        // dropped whole; no garbage collection rewrites live bodies.
        o.enable_blob_files = true;
        o.min_blob_size = 256;
        o.blob_file_size = 64 << 20;
    }
    return o;
}

} // namespace

result<std::unique_ptr<store>> open_rocksdb_store(const options& opts) {
    std::error_code ec;
    std::filesystem::create_directories(opts.data_dir, ec);
    if (ec) return fail(errc::internal, "cannot create data dir " + opts.data_dir + ": " + ec.message());

    rocksdb::DBOptions db_opts;
    db_opts.create_if_missing = true;
    db_opts.create_missing_column_families = true;
    db_opts.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
    db_opts.info_log = std::make_shared<detail::rocksdb_logger>(db_opts.info_log_level);
    db_opts.db_write_buffer_size = 32 << 20;
    db_opts.max_background_jobs = 2;
    // One committer writes (storage/detail/rocksdb_messages.cpp); insert
    // hints only work on the single-writer memtable path.
    db_opts.allow_concurrent_memtable_write = false;
    // Queue scans read each block once and move on; 8 MB keeps index and
    // filter blocks hot and measured the same drain rate as 16 MB with
    // ~5 MB less RSS at 1M queued.
    const auto cache = rocksdb::NewLRUCache(8 << 20);

    // Open every family the directory has (a newer version may have added
    // some) plus the ones this version needs.
    std::vector<std::string> names;
    rocksdb::DB::ListColumnFamilies(db_opts, opts.data_dir, &names);
    std::vector<std::string> needed{rocksdb::kDefaultColumnFamilyName, registry_cf};
    for (const char* n : detail::message_family_names) needed.emplace_back(n);
    for (const auto& n : needed)
        if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const auto& n : names) families.emplace_back(n, family_options(n, cache));

    rocksdb::DB* raw = nullptr;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    const auto st = rocksdb::DB::Open(db_opts, opts.data_dir, families, &handles, &raw);
    if (!st.ok()) {
        if (st.IsIOError() && st.ToString().find("lock") != std::string::npos)
            return fail(errc::internal, "data dir " + opts.data_dir + " is in use by another process");
        return storage_failure(st, "opening " + opts.data_dir);
    }
    // Also what keeps crc32c.o (and its rocksdb::crc32c::Extend) in a
    // binary linked against this static library.
    log::debug("storage", "WAL and blob checksums: CRC-32C {}",
               detail::crc32c_in_hardware() ? "with SSE4.2" : "portable");
    auto s = std::make_unique<rocksdb_store>(std::unique_ptr<rocksdb::DB>(raw), std::move(handles), opts);
    if (auto r = s->open_messages(opts.sync_writes, opts.metrics); !r) return r.error();
    return std::unique_ptr<store>(std::move(s));
}

} // namespace qaqpa::storage
