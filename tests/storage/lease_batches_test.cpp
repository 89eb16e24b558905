#include "storage/detail/lease_batches.hpp"

#include "storage/detail/record_codec.hpp"
#include "tests/support/temp_dir.hpp"

#include "tests/support/catch.hpp"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <map>
#include <memory>
#include <set>

using namespace qaqpa;
using namespace qaqpa::storage;
using qaqpa::storage::detail::lease_batches;

namespace {

/// A RocksDB of its own: the leases live in its default family.
struct lease_db {
    test::temp_dir dir;
    std::unique_ptr<rocksdb::DB> db;

    lease_db() {
        rocksdb::Options o;
        o.create_if_missing = true;
        rocksdb::DB* raw = nullptr;
        REQUIRE(rocksdb::DB::Open(o, dir.str(), &raw).ok());
        db.reset(raw);
    }
    rocksdb::ColumnFamilyHandle* family() const { return db->DefaultColumnFamily(); }

    void write(rocksdb::WriteBatch& b) const { REQUIRE(db->Write({}, &b).ok()); }

    std::size_t records() const {
        std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}));
        std::size_t n = 0;
        for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
        return n;
    }

    /// id → until of the leases read back.
    std::map<std::string, std::int64_t> read(const detail::settled_fn& settled) const {
        auto leases = lease_batches::read(*db, family(), settled);
        REQUIRE(leases);
        std::map<std::string, std::int64_t> out;
        for (const auto& l : *leases) out[l.id] = l.until_ms;
        return out;
    }
};

lease leased(std::string id, std::int64_t until, std::uint64_t seq) { return {std::move(id), until, "pull/owner/svc", seq}; }

} // namespace

TEST_CASE("one getMessages is one lease record, whatever it leased", "[unit][storage]") {
    lease_db d;
    lease_batches leases(d.family());
    rocksdb::WriteBatch b;
    leases.record(b, {leased("m1", 100, 1), leased("m2", 100, 2), leased("m3", 100, 3)});
    CHECK(b.Count() == 1);
    d.write(b);
    CHECK(d.records() == 1);
    CHECK(d.read([](std::string_view) { return false; }) ==
          std::map<std::string, std::int64_t>{{"m1", 100}, {"m2", 100}, {"m3", 100}});
}

TEST_CASE("a lease ends with its message: confirmed, given back or leased again", "[unit][storage]") {
    lease_db d;
    lease_batches leases(d.family());
    std::set<std::string> final_ids;
    const detail::settled_fn settled = [&](std::string_view id) { return final_ids.count(std::string(id)) > 0; };
    rocksdb::WriteBatch b;
    leases.record(b, {leased("m1", 100, 1), leased("m2", 100, 2), leased("m3", 100, 3), leased("m4", 100, 4)});
    d.write(b);

    b.Clear();
    leases.settle(b, "m1"); // confirmed: its tracking turns final in the same write
    CHECK(b.Count() == 0);  // nothing written for the lease itself
    final_ids.insert("m1");
    leases.release(b, "m2"); // RESEND: its batch is rewritten without it
    CHECK(b.Count() == 1);
    d.write(b);
    CHECK(d.read(settled) == std::map<std::string, std::int64_t>{{"m3", 100}, {"m4", 100}});

    b.Clear();
    leases.record(b, {leased("m3", 200, 3)}); // its lease ended; leased again
    d.write(b);
    CHECK(d.read(settled) == std::map<std::string, std::int64_t>{{"m3", 200}, {"m4", 100}});

    b.Clear();
    leases.settle(b, "m4"); // the first batch's last lease: the record goes
    final_ids.insert("m4");
    leases.record(b, {leased("m3", 0, 3)}); // until 0 releases: the second batch goes too
    d.write(b);
    CHECK(d.read(settled).empty());
    CHECK(d.records() == 0);
}

TEST_CASE("loading the leases tidies the records and moves the older layout into a batch", "[unit][storage]") {
    lease_db d;
    {
        rocksdb::WriteBatch b;
        // The older layout: one record per message, keyed by its id.
        b.Put(d.family(), "old1", detail::encode(leased("old1", 50, 9)));
        b.Put(d.family(), "old2", detail::encode(leased("old2", 50, 10)));
        // A batch whose leases are all settled, and one superseded in part.
        b.Put(d.family(), detail::lease_batch_key(3), detail::encode(std::vector<lease>{leased("done", 60, 1)}));
        b.Put(d.family(), detail::lease_batch_key(4),
              detail::encode(std::vector<lease>{leased("again", 70, 2), leased("kept", 70, 3)}));
        b.Put(d.family(), detail::lease_batch_key(7), detail::encode(std::vector<lease>{leased("again", 90, 2)}));
        d.write(b);
    }
    const detail::settled_fn settled = [](std::string_view id) { return id == "done"; };
    const std::map<std::string, std::int64_t> live{{"again", 90}, {"kept", 70}, {"old1", 50}, {"old2", 50}};
    CHECK(d.read(settled) == live);

    lease_batches leases(d.family());
    rocksdb::WriteBatch tidy;
    REQUIRE(leases.load(*d.db, settled, tidy));
    d.write(tidy);
    CHECK(d.read(settled) == live);
    CHECK(d.records() == 3); // batches 4 and 7, and one batch for the older records

    // New batches are numbered after the stored ones, so they win as newest.
    rocksdb::WriteBatch b;
    leases.record(b, {leased("again", 120, 2)});
    d.write(b);
    CHECK(d.read(settled).at("again") == 120);
    // And the index knows every live lease: settling them all leaves nothing.
    b.Clear();
    for (const auto* id : {"again", "kept", "old1", "old2"}) leases.settle(b, id);
    d.write(b);
    CHECK(d.records() == 0);
}

TEST_CASE("a damaged lease record is skipped and dropped, the others kept", "[unit][storage]") {
    lease_db d;
    {
        rocksdb::WriteBatch b;
        b.Put(d.family(), detail::lease_batch_key(1), "\x01\x7f garbage");
        b.Put(d.family(), "old", "\x01\xff");
        b.Put(d.family(), detail::lease_batch_key(2), detail::encode(std::vector<lease>{leased("m1", 80, 1)}));
        d.write(b);
    }
    const detail::settled_fn none_final = [](std::string_view) { return false; };
    CHECK(d.read(none_final) == std::map<std::string, std::int64_t>{{"m1", 80}});
    lease_batches leases(d.family());
    rocksdb::WriteBatch tidy;
    REQUIRE(leases.load(*d.db, none_final, tidy));
    d.write(tidy);
    CHECK(d.records() == 1); // only batch 2
    CHECK(d.read(none_final) == std::map<std::string, std::int64_t>{{"m1", 80}});
}

TEST_CASE("a damaged lease batch is an error, not a crash", "[unit][storage]") {
    const auto good = detail::encode(std::vector<lease>{leased("m1", 100, 1), leased("m2", 100, 2)});
    REQUIRE(detail::decode_lease_batch(good));
    CHECK(detail::decode_lease_batch(good)->size() == 2);
    for (std::size_t cut = 0; cut < good.size(); ++cut) CHECK_FALSE(detail::decode_lease_batch(good.substr(0, cut)));
    std::string huge_count = good;
    huge_count[1] = '\x7f'; // 127 leases claimed in a record that holds two
    CHECK_FALSE(detail::decode_lease_batch(huge_count));
    CHECK(detail::split_lease_batch_key(detail::lease_batch_key(0x0102030405060708)) == 0x0102030405060708u);
    CHECK_FALSE(detail::split_lease_batch_key("m1"));
}
